// Progressive enhancement: a job still building (a packet, an export) shows its progress and then
// its download without a reload. Without this script the page offers a reload link instead.
(function () {
  var blocks = document.querySelectorAll('[data-job-status]');
  if (!blocks.length || !window.fetch) return;

  function watch(block) {
    var format = new Intl.NumberFormat(block.getAttribute('data-locale') || document.documentElement.lang || 'en');
    var url = block.getAttribute('data-job-status');
    var building = block.querySelector('[data-job-building]');
    var bar = block.querySelector('progress');
    var label = block.querySelector('[data-job-label]');

    function show(status) {
      var template = block.getAttribute('data-label-' + status.phase);
      if (template) label.textContent = template.replace('{done}', format.format(status.done)).replace('{total}', format.format(status.total));
      if (status.total > 0) {
        bar.max = status.total;
        bar.value = Math.min(status.done, status.total);
      }
    }
    function finish(part, text) {
      building.hidden = true;
      var el = block.querySelector(part);
      if (text) el.textContent = text;
      el.hidden = false;
    }
    function poll(delay) {
      setTimeout(function () {
        // A tab nobody looks at waits; it catches up when shown again.
        if (document.hidden) return poll(delay);
        fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (status) {
            if (!status) return poll(5000);
            if (status.state === 'building') {
              show(status);
              return poll(1000);
            }
            if (status.state === 'ready') return finish('[data-job-ready]');
            // The page's own sentence, in its language; the reason shows on the reloaded page.
            if (status.state === 'failed') return finish('[data-job-failed]', block.getAttribute('data-label-failed'));
            location.reload(); // removed meanwhile: the page says how
          })
          .catch(function () { poll(5000); });
      }, delay);
    }
    poll(500);
  }
  Array.prototype.forEach.call(blocks, watch);
})();
