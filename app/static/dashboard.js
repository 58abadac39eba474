// The dashboard's charts (Apache ECharts). Data and links come from a JSON block: no inline script.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  // Colours that read on a projector: strong, few, with enough contrast.
  var BLUE = "#1f5fbf", GREY = "#9aa5b1", ORANGE = "#e8731a", RED = "#c0392b";
  var charts = [];
  var fitters = [];  // options that depend on the width: applied now and on every resize
  var NARROW = 576;

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
      grid: { left: 4, right: 40, top: 10, bottom: 10, containLabel: true },
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
    var fundsLayout = function (narrow) {
      // On a phone the legend goes below the plot (scrolling) and the axis names shrink, so
      // neither runs over the other; containLabel keeps the axis labels inside the box.
      var axisName = { fontSize: narrow ? 10 : 12 };
      return {
        legend: narrow
          ? { type: "scroll", top: "auto", bottom: 0, itemWidth: 14, textStyle: { fontSize: 11 } }
          : { type: "scroll", top: 0, bottom: "auto" },
        grid: narrow
          ? { left: 4, right: 4, top: 30, bottom: 36, containLabel: true }
          : { left: 10, right: 10, top: 48, bottom: 10, containLabel: true },
        yAxis: [
          { type: "value", name: narrow ? "当月" : "当月(万元)", nameTextStyle: axisName },
          { type: "value", name: narrow ? "累计" : "累计(万元)", nameTextStyle: axisName }
        ]
      };
    };
    var options = fundsLayout(window.innerWidth < NARROW);
    options.animation = false;
    options.tooltip = {
      trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + " 万元"; }
    };
    options.xAxis = { type: "category", data: f.months };
    options.series = series;
    funds.setOption(options);
    fitters.push(function (narrow) { funds.setOption(fundsLayout(narrow)); });
    funds.on("click", function (p) {
      if (p.seriesType !== "bar") { return; }
      go(p.seriesIndex === 0 ? f.urls[p.dataIndex] : f.urls_previous[p.dataIndex]);
    });
  }

  function resizeAll() { charts.forEach(function (c) { c.resize(); }); }

  function fit() {
    var narrow = window.innerWidth < NARROW;
    fitters.forEach(function (apply) { apply(narrow); });
    resizeAll();
  }

  fit();
  window.addEventListener("resize", fit);
  // Printing lays the page out at the paper's width: the charts follow it, and come back after.
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", fit);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    if (printing.addEventListener) {
      printing.addEventListener("change", function (m) { if (m.matches) { resizeAll(); } else { fit(); } });
    }
  }
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
