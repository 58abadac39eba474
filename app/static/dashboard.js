// The dashboard's charts (Apache ECharts). Data and links come from a JSON block: no inline script.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  // Colours that read on a projector: strong, few, with enough contrast.
  var BLUE = "#1f5fbf", GREY = "#9aa5b1", ORANGE = "#e8731a", RED = "#c0392b";
  var charts = [];

  function chart(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = echarts.init(el, null, { renderer: "svg" });
    charts.push(c);
    return c;
  }

  function go(url) { if (url) { window.location.href = url; } }

  var funnel = chart("chart-funnel");
  if (funnel) {
    funnel.setOption({
      animation: false,
      grid: { left: 70, right: 40, top: 10, bottom: 20 },
      tooltip: { trigger: "item", formatter: "{b}：{c} 个" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.funnel.map(function (d) { return d.name; }) },
      series: [{
        type: "bar", barMaxWidth: 26, itemStyle: { color: BLUE },
        label: { show: true, position: "right", formatter: "{c}" },
        data: data.funnel.map(function (d) { return { value: d.value, url: d.url }; })
      }]
    });
    funnel.on("click", function (p) { go(p.data && p.data.url); });
  }

  var funds = chart("chart-funds");
  if (funds) {
    var f = data.funds;
    var series = [
      { name: f.year + "年当月", type: "bar", data: f.current, itemStyle: { color: BLUE }, barMaxWidth: 22 },
      { name: (f.year - 1) + "年当月", type: "bar", data: f.previous, itemStyle: { color: GREY }, barMaxWidth: 22 },
      { name: f.year + "年累计", type: "line", data: f.cumulative, yAxisIndex: 1,
        itemStyle: { color: ORANGE }, lineStyle: { width: 3 }, symbolSize: 7 }
    ];
    if (f.progress.length) {
      series.push({ name: "目标×时间进度", type: "line", data: f.progress, yAxisIndex: 1,
                    itemStyle: { color: RED }, lineStyle: { type: "dashed", width: 2 }, symbol: "none" });
    }
    funds.setOption({
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + " 万元"; } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 70, right: 80, top: 40, bottom: 30 },
      xAxis: { type: "category", data: f.months },
      yAxis: [{ type: "value", name: "当月(万元)" }, { type: "value", name: "累计(万元)" }],
      series: series
    });
    funds.on("click", function (p) {
      if (p.seriesType !== "bar") { return; }
      go(p.seriesIndex === 0 ? f.urls[p.dataIndex] : f.urls_previous[p.dataIndex]);
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
