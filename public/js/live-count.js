// Progressive enhancement only: the page works without this; it refreshes the live total, the sentence
// "N of goal" (from a template the server rendered in the page's language) and the progress bar together.
(function () {
  var el = document.querySelector('[data-live-count]');
  if (!el || !window.fetch) return;
  var url = el.getAttribute('data-live-count');
  var goal = Number(el.getAttribute('data-goal')) || 0;
  var sentence = document.querySelector('[data-live-template]');
  var bar = document.querySelector('[data-live-bar]');
  var format = new Intl.NumberFormat(el.getAttribute('data-locale') || document.documentElement.lang || 'en');
  function show(total) {
    var text = format.format(total);
    if (el.textContent !== text) el.textContent = text;
    if (sentence) sentence.textContent = sentence.getAttribute('data-live-template').replace('{total}', text);
    if (bar && goal > 0) {
      var percent = Math.min(100, Math.round((total / goal) * 100));
      bar.value = percent;
      bar.textContent = percent + '%';
    }
  }
  function refresh() {
    // A tab nobody looks at need not poll: thousands of forgotten tabs would otherwise keep asking.
    if (document.hidden) return;
    fetch(url, { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && typeof body.total === 'number') show(body.total);
      })
      .catch(function () {});
  }
  setInterval(refresh, 10000);
})();
