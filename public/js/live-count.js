// Progressive enhancement only: the page works without this; it refreshes the live total.
(function () {
  var el = document.querySelector('[data-live-count]');
  if (!el || !window.fetch) return;
  var url = el.getAttribute('data-live-count');
  var format = new Intl.NumberFormat(el.getAttribute('data-locale') || document.documentElement.lang || 'en');
  function refresh() {
    // A tab nobody looks at need not poll: thousands of forgotten tabs would otherwise keep asking.
    if (document.hidden) return;
    fetch(url, { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body || typeof body.total !== 'number') return;
        var text = format.format(body.total);
        if (el.textContent !== text) el.textContent = text;
      })
      .catch(function () {});
  }
  setInterval(refresh, 10000);
})();
