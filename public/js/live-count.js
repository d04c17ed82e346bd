// Progressive enhancement only: the page works without this; it refreshes the live total.
(function () {
  var el = document.querySelector('[data-live-count]');
  if (!el || !window.fetch) return;
  var url = el.getAttribute('data-live-count');
  var format = new Intl.NumberFormat(document.documentElement.lang || 'en');
  function refresh() {
    fetch(url, { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && typeof body.total === 'number') el.textContent = format.format(body.total); })
      .catch(function () {});
  }
  setInterval(refresh, 10000);
})();
