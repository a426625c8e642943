// Show only the numbers that belong to the chosen account type (the server clears the others).
(function () {
  function sync() {
    var select = document.querySelector('[data-account-type]');
    if (!select) return;
    document.querySelectorAll('.type-fields').forEach(function (group) {
      var types = (group.dataset.types || '').split(' ');
      group.hidden = select.value !== '' && types.indexOf(select.value) === -1;
    });
  }
  document.addEventListener('change', function (e) { if (e.target.matches('[data-account-type]')) sync(); });
  document.addEventListener('DOMContentLoaded', sync);
})();

// Behaviour the templates ask for with data attributes: the Content-Security-Policy allows no
// inline scripts or on…= handlers.
(function () {
  // <form data-confirm="Question?">: submits only when the user confirms.
  document.addEventListener('submit', function (e) {
    var question = e.target.dataset && e.target.dataset.confirm;
    if (question && !window.confirm(question)) e.preventDefault();
  });
  // <button data-print>: prints the page.
  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('[data-print]');
    if (button) { e.preventDefault(); window.print(); }
  });
  // A link to "#tabname" opens that Bootstrap tab (e.g. an account's #surveys).
  document.addEventListener('DOMContentLoaded', function () {
    if (!location.hash || !window.bootstrap) return;
    var tab = document.querySelector('[data-bs-toggle="tab"][href="' + CSS.escape(location.hash) + '"]');
    if (tab) bootstrap.Tab.getOrCreateInstance(tab).show();
  });
})();

// A table that scrolls sideways (on a phone) can be scrolled with the keyboard: it takes focus
// while it overflows, and only then (WCAG 2.1.1; axe's scrollable-region-focusable).
(function () {
  function sync() {
    document.querySelectorAll('.table-responsive').forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.tabIndex = 0;
      } else if (box.getAttribute('tabindex') === '0') {
        box.removeAttribute('tabindex');
      }
    });
  }
  document.addEventListener('DOMContentLoaded', sync);
  window.addEventListener('resize', sync);
  document.addEventListener('shown.bs.tab', sync);
})();
