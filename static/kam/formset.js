// Inline rows: "Add row" clones the formset's empty form (its <template>) and bumps TOTAL_FORMS.
(function () {
  document.querySelectorAll('.formset').forEach(function (box) {
    var button = box.querySelector('.add-row');
    if (!button) return;
    button.addEventListener('click', function () {
      var prefix = box.dataset.prefix;
      var total = box.querySelector('#id_' + prefix + '-TOTAL_FORMS');
      var html = box.querySelector('template').innerHTML.replace(/__prefix__/g, total.value);
      box.querySelector('tbody').insertAdjacentHTML('beforeend', html);
      total.value = parseInt(total.value, 10) + 1;
      // Keyboard and screen-reader users land in the row they added, not back on the button.
      var first = box.querySelector('tbody tr:last-child').querySelector('input:not([type=hidden]), select, textarea');
      if (first) first.focus();
    });
  });
})();
