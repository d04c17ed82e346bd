// Progressive enhancement of the share block (views/partials/share.hbs): a copy button, and the device's own
// share sheet where the browser has one. Without this script the links and the selectable address still work.
(function () {
  var blocks = document.querySelectorAll('.share-block');
  Array.prototype.forEach.call(blocks, function (block) {
    var copy = block.querySelector('[data-copy]');
    var status = block.querySelector('[data-copied]');
    var copiedText = block.querySelector('[data-copied-text]');
    var field = copy && document.getElementById(copy.getAttribute('data-copy'));
    if (copy && field && navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener('click', function () {
        navigator.clipboard.writeText(field.value).then(
          function () {
            status.textContent = copiedText ? copiedText.content.textContent : '';
            copy.classList.add('is-copied');
          },
          function () {
            // Refused (no permission): select the address, so that the device's own copy command takes it.
            field.focus();
            field.select();
          },
        );
      });
    }

    var nativeItem = block.querySelector('[data-native-share]');
    var nativeButton = nativeItem && nativeItem.querySelector('button');
    if (nativeButton && typeof navigator.share === 'function') {
      var data = { title: nativeButton.getAttribute('data-title'), text: nativeButton.getAttribute('data-text'), url: nativeButton.getAttribute('data-url') };
      if (!navigator.canShare || navigator.canShare(data)) {
        nativeItem.hidden = false;
        nativeButton.addEventListener('click', function () {
          navigator.share(data).catch(function () {
            // Closed without sharing: nothing to do.
          });
        });
      }
    }
  });
})();
