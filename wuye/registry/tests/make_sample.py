"""Regenerate the sample registry spreadsheet used by the tests and the README: `python wuye/registry/tests/make_sample.py`."""

from pathlib import Path

from openpyxl import Workbook

HEADER = [
    "乡镇/街道",
    "小区编码",
    "小区名称",
    "楼栋",
    "房号",
    "建筑面积（㎡）",
    "业主姓名",
    "联系电话",
    "开发商持有",
]
ROWS = [
    ["钟山镇", "YJ001", "御景华庭", "1栋", "101", 89.5, "张三", "13800000001", "否"],
    ["钟山镇", "YJ001", "御景华庭", "1栋", "102", "120.25", "李四", "13800000002", ""],
    ["钟山镇", "YJ001", "御景华庭", "1栋", "102", "120.25", "王五", "13800000003", ""],  # co-owner of 102
    ["钟山镇", "YJ001", "御景华庭", "2栋", "201", 76, "张三", "13800000001", "否"],  # one buyer, two units
    ["钟山镇", "YJ001", "御景华庭", "2栋", "202", 95.3, "", "", "是"],  # developer-held
    ["回龙镇", "", "桂花苑", "A座", "301", 66.66, "赵六、钱七", "", ""],  # two co-owners in one row
    ["回龙镇", "", "桂花苑", "A座", "302", "-5", "孙八", "13800000008", ""],  # bad: area
    ["回龙镇", "", "桂花苑", "A座", "", 80, "周九", "13800000009", ""],  # bad: no unit number
    ["回龙镇", "", "桂花苑", "A座", "303", 80, "吴十", "1380000", ""],  # bad: phone
    [None, None, None, None, None, None, None, None, None],  # blank row, skipped
    ["回龙镇", "", "桂花苑", "A座", "304", "八十", "郑一", "13800000011", ""],  # bad: area not a number
]


def build(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "房屋业主"
    ws.append(["钟山县住宅小区基础档案（样例）"])
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    wb.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("data") / "registry_sample.xlsx")
