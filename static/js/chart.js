/* Draws every [data-chart] element from its JSON island (portal.dataservices.charts.Chart) with the vendored
   ECharts. No inline script, no HTML tooltips (their inline styles would break the CSP): everything is drawn on
   the canvas. The table beside each chart is the accessible form, so the canvas itself is role="img". */
(function () {
  "use strict";
  if (window.portalCharts) { return; }
  var PALETTE = ["#0b4ea2", "#b4141b", "#1d7a3a", "#9a6200", "#5a6270", "#6b3fa0"];
  var drawn = [];

  function number(v, spec) {
    if (v === null || v === undefined) { return "—"; }
    return spec.money ? v.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
                      : v.toLocaleString("zh-CN");
  }

  function option(spec, el) {
    var elder = document.documentElement.classList.contains("app-elder");
    var size = elder ? 18 : 12;
    var legend = spec.series.length > 1;
    // Category names wider than their slot (regions on a phone, 12 months in 长辈版) are slanted, not dropped.
    var longest = spec.categories.reduce(function (n, c) { return Math.max(n, String(c).length); }, 0);
    var crowded = longest * size > 0.9 * el.clientWidth / Math.max(spec.categories.length, 1);
    return {
      animationDuration: 300,
      color: PALETTE,
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily, fontSize: size },
      tooltip: {
        trigger: "axis", renderMode: "richText", confine: true, textStyle: { fontSize: size },
        valueFormatter: function (v) { return number(v, spec) + (spec.unit ? " " + spec.unit : ""); }
      },
      legend: legend ? { top: 0, left: 0, textStyle: { fontSize: size } } : { show: false },
      grid: { left: 4, right: 12, top: legend ? size * 3 : size, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: spec.categories,
               axisLabel: { fontSize: size, interval: crowded ? 0 : "auto", rotate: crowded ? 45 : 0, hideOverlap: !crowded } },
      yAxis: { type: "value", axisLabel: { fontSize: size, formatter: function (v) { return number(v, { money: false }); } } },
      series: spec.series.map(function (s) {
        return { name: s.name, type: spec.kind, data: s.values, stack: s.stack || undefined, barMaxWidth: 36 };
      })
    };
  }

  function draw(root) {
    if (!window.echarts) { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-chart-ready")) { return; }
      var island = document.getElementById(el.getAttribute("data-chart"));
      if (!island) { return; }
      var spec = JSON.parse(island.textContent);
      el.hidden = false;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(spec, el));
      el.setAttribute("data-chart-ready", "true");
      drawn.push(chart);
    });
  }

  window.addEventListener("resize", function () {
    drawn = drawn.filter(function (c) { return !c.isDisposed() && document.contains(c.getDom()); });
    drawn.forEach(function (c) { c.resize(); });
  });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
  window.portalCharts = { draw: draw };
  draw(document);
}());
