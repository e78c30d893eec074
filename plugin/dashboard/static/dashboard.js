/* The home page's charts: ECharts drawn from the JSON block #dashboard-charts.
 *
 * Every number is already on the page as text (each chart's table, in a <details> next to it);
 * the charts add a picture of them. A chart's box stays hidden where this script or ECharts does
 * not run, and its table is folded away once the chart is drawn. Clicking a bar, point or slice
 * opens the list behind it, where the page gave one.
 */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-charts");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var drawn = [];

  function formatValue(chart, value) {
    if (value === null || value === undefined) {
      return "—";
    }
    return value.toLocaleString() + (chart.percent ? "%" : " " + chart.unit);
  }

  // A rate's axis reaches the next ten above its highest point (at most 100%), so a low
  // coverage still shows its changes.
  function percentCeiling(extent) {
    return isFinite(extent.max) ? Math.min(100, Math.floor(extent.max / 10) * 10 + 10) : 100;
  }

  function cursorOf(chart) {
    return chart.urls.some(Boolean) ? "pointer" : "default";
  }

  function tooltip(chart, trigger) {
    return {
      trigger: trigger,
      confine: true,
      valueFormatter: function (value) { return formatValue(chart, value); }
    };
  }

  function optionOf(chart) {
    if (chart.type === "pie") {
      return {
        tooltip: tooltip(chart, "item"),
        legend: {type: "scroll", bottom: 0},
        series: [{
          type: "pie",
          radius: ["35%", "65%"],
          cursor: cursorOf(chart),
          center: ["50%", "45%"],
          label: {formatter: "{b}\n{d}%"},
          data: chart.labels.map(function (label, index) {
            return {name: label, value: chart.values[index]};
          })
        }]
      };
    }
    var across = chart.type === "hbar";
    // Bars across list their categories top down, in the page's order.
    var categories = {type: "category", data: chart.labels, inverse: across,
                      axisTick: {alignWithLabel: true}};
    var values = {
      type: "value",
      minInterval: chart.percent ? 0 : 1,
      max: chart.percent ? percentCeiling : null,
      axisLabel: {formatter: chart.percent ? "{value}%" : "{value}"}
    };
    return {
      tooltip: tooltip(chart, "axis"),
      grid: {left: 8, right: 24, top: 16, bottom: 8, containLabel: true},
      xAxis: across ? values : categories,
      yAxis: across ? categories : values,
      series: [{
        type: chart.type === "line" ? "line" : "bar",
        name: chart.title,
        data: chart.values,
        cursor: cursorOf(chart),
        label: {show: across, position: "right"}
      }]
    };
  }

  function draw(chart) {
    var box = document.querySelector('[data-chart="' + chart.id + '"]');
    if (!box) {
      return;
    }
    box.hidden = false;
    var instance = window.echarts.init(box, null, {locale: data.locale});
    instance.setOption(optionOf(chart));
    instance.on("click", function (event) {
      var url = chart.urls[event.dataIndex];
      if (url) {
        window.location.assign(url);
      }
    });
    var table = box.parentNode.querySelector("details[data-chart-table]");
    if (table) {
      table.open = false;
    }
    drawn.push(instance);
  }

  data.charts.forEach(draw);
  window.addEventListener("resize", function () {
    drawn.forEach(function (instance) { instance.resize(); });
  });
}());
