from wuye.revenue.privacy import public_counterparty


def test_persons_are_masked_and_organisations_are_named():
    assert public_counterparty("张三丰") == "张**"
    assert public_counterparty("欧阳娜娜") == "欧***"
    assert public_counterparty("Tom") == "T**"
    assert public_counterparty("钟山传媒广告有限公司") == "钟山传媒广告有限公司"
    assert public_counterparty("道闸收费系统") == "道闸收费系统"
    assert public_counterparty("县住宅专项维修资金专户") == "县住宅专项维修资金专户"
    assert public_counterparty("") == ""
