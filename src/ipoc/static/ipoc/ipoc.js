/* IPOC page behaviour, one file, no inline scripts (the pages run under a Content-Security-Policy).
   - select[data-autosubmit]: submits its form on change (language switch, list filters);
   - form[data-confirm] / button[data-confirm]: asks before a decision that cannot be undone;
   - select[data-picker-url]: a Tom Select picker that searches the API (GET url?q=… → [{value, label, sub}]);
   - select[data-searchable]: a Tom Select over the options already in the page;
   - div[data-chart]: an ECharts chart whose option is the JSON in <script type="application/json" id="…">;
   - form[data-busy]: while the request runs, its button is disabled and shows a spinner and the text;
   - [data-print]: prints the page;
   - HTMX requests carry the CSRF token. */
(function () {
  "use strict";
  const csrf = () => document.body.dataset.csrfToken || "";

  function initPickers(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-picker-url]:not(.tomselected)").forEach((el) => {
      const url = el.dataset.pickerUrl;
      new TomSelect(el, {
        valueField: "value", labelField: "label", searchField: ["label", "sub"],
        maxOptions: 50, loadThrottle: 250, preload: "focus", plugins: el.multiple ? ["remove_button"] : [],
        placeholder: el.dataset.placeholder || "",
        load(query, callback) {
          const sep = url.includes("?") ? "&" : "?";
          fetch(url + sep + "q=" + encodeURIComponent(query), { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then((r) => (r.ok ? r.json() : [])).then((items) => callback(items)).catch(() => callback());
        },
        render: {
          option(item, escape) {
            return "<div><div>" + escape(item.label) + "</div>" +
              (item.sub ? "<div class=\"small text-secondary\">" + escape(item.sub) + "</div>" : "") + "</div>";
          },
          no_results() { return "<div class=\"no-results\">" + (el.dataset.noResults || "无匹配结果") + "</div>"; },
        },
      });
    });
    root.querySelectorAll("select[data-searchable]:not(.tomselected)").forEach((el) => {
      new TomSelect(el, { maxOptions: 200, plugins: el.multiple ? ["remove_button"] : [] });
    });
  }

  function initCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("div[data-chart]:not([data-chart-ready])").forEach((el) => {
      const source = document.getElementById(el.dataset.chart);
      if (!source) return;
      const option = JSON.parse(source.textContent);
      const chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      el.dataset.chartReady = "1";
      window.addEventListener("resize", () => chart.resize());
      if (el.dataset.drill) {  // a click on a bar or slice opens the records behind it
        chart.on("click", (p) => {
          const links = option.ipocLinks || {};
          const href = links[p.name];
          if (href) window.location.href = href;
        });
      }
    });
  }

  function init(root) { initPickers(root); initCharts(root); }

  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (el.matches && el.matches("select[data-autosubmit], input[data-autosubmit]") && el.form) el.form.submit();
  });
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    const btn = ev.submitter;
    const msg = (btn && btn.dataset.confirm) || form.dataset.confirm;
    if (msg && !window.confirm(msg)) { ev.preventDefault(); return; }
    if (form.dataset.busy && btn) {  // after the browser has read the form (a disabled button is not sent)
      window.setTimeout(() => {
        btn.disabled = true;
        btn.setAttribute("aria-busy", "true");
        const spin = document.createElement("span");
        spin.className = "spinner-border spinner-border-sm me-2";
        spin.setAttribute("aria-hidden", "true");
        btn.replaceChildren(spin, document.createTextNode(form.dataset.busy));
      }, 0);
    }
  });
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest && ev.target.closest("a[data-confirm]");
    if (a && !window.confirm(a.dataset.confirm)) ev.preventDefault();
    const back = ev.target.closest && ev.target.closest("a[data-history-back]");
    if (back && window.history.length > 1) { ev.preventDefault(); window.history.back(); }
  });
  document.addEventListener("click", (ev) => {  // [data-print]: print the page (a report's “打印” button)
    if (ev.target.closest && ev.target.closest("[data-print]")) { ev.preventDefault(); window.print(); }
  });
  document.addEventListener("htmx:configRequest", (ev) => { ev.detail.headers["X-CSRFToken"] = csrf(); });
  document.addEventListener("htmx:load", (ev) => init(ev.target));
  document.addEventListener("DOMContentLoaded", () => init(document));
})();
