// Progressive enhancement only: without it a refused form still shows its summary first (site.css).
(function () {
  // After a refused submit the browser lands on the summary, and a screen reader reads it first.
  var summary = document.getElementById('sign-errors');
  if (summary) summary.focus();

  // The phone's Sign button: hidden while the form itself is on screen (CSS hides it on wide screens).
  var button = document.getElementById('sticky-sign');
  var form = document.getElementById('sign');
  if (!button || !form || !window.IntersectionObserver) return;
  new IntersectionObserver(function (entries) {
    button.hidden = entries[0].isIntersecting;
  }).observe(form);
})();
