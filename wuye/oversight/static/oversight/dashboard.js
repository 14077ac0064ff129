// Draws the dashboard's charts from the JSON beside them (the tables stay the accessible source of every number).
(function () {
  "use strict";
  function draw() {
    if (!window.echarts) { return; }
    var node = document.getElementById("chart-data");
    if (!node) { return; }
    var data = JSON.parse(node.textContent);
    document.querySelectorAll(".echart").forEach(function (el) {
      var c = data[el.getAttribute("data-chart")];
      if (!c) { return; }
      var chart = window.echarts.init(el);
      var option;
      if (c.kind === "pie") {
        option = {
          tooltip: { trigger: "item" },
          series: [{ type: "pie", radius: "65%", data: c.categories.map(function (name, i) {
            return { name: name, value: c.series[0].data[i] };
          }) }]
        };
      } else if (c.kind === "gauge") {
        option = {
          series: [{ type: "gauge", min: 0, max: 100, detail: { formatter: "{value}%" },
            data: [{ value: c.series[0].data[0], name: "覆盖率" }] }]
        };
      } else {
        option = {
          tooltip: { trigger: "axis" },
          legend: { top: 0 },
          grid: { left: 40, right: 10, bottom: 60 },
          xAxis: { type: "category", data: c.categories, axisLabel: { rotate: 30 } },
          yAxis: { type: "value" },
          series: c.series.map(function (s) { return { name: s.name, type: c.kind, data: s.data }; })
        };
      }
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
