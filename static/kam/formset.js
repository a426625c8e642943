// Inline rows: "Add row" clones the formset's empty form (its <template>) and bumps TOTAL_FORMS.
// Rows drawn as cards (narrow screens, wide formsets: app.css) name each field by its column's header.
function labelCells(table) {
  var heads = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) { return th.textContent.trim(); });
  table.querySelectorAll('tbody tr').forEach(function (row) {
    Array.prototype.forEach.call(row.querySelectorAll(':scope > td'), function (td, i) {
      if (heads[i] && !td.dataset.label) td.dataset.label = heads[i];
    });
  });
}
(function () {
  document.querySelectorAll('.formset-table').forEach(labelCells);
  document.querySelectorAll('.formset').forEach(function (box) {
    var button = box.querySelector('.add-row');
    if (!button) return;
    button.addEventListener('click', function () {
      var prefix = box.dataset.prefix;
      var total = box.querySelector('#id_' + prefix + '-TOTAL_FORMS');
      var html = box.querySelector('template').innerHTML.replace(/__prefix__/g, total.value);
      box.querySelector('tbody').insertAdjacentHTML('beforeend', html);
      total.value = parseInt(total.value, 10) + 1;
      labelCells(box.querySelector('.formset-table'));
      // Keyboard and screen-reader users land in the row they added, not back on the button.
      var first = box.querySelector('tbody tr:last-child').querySelector('input:not([type=hidden]), select, textarea');
      if (first) first.focus();
    });
  });
})();
// A row whose kind is chosen (an objective: number, milestone, listing) shows the inputs of that
// kind only; the cells say which kinds they belong to (data-kinds), the server clears the others.
(function () {
  function sync(select) {
    var row = select.closest('tr');
    row.querySelectorAll('td[data-kinds]').forEach(function (cell) {
      var off = cell.dataset.kinds.split(' ').indexOf(select.value) === -1;
      Array.prototype.forEach.call(cell.children, function (child) { child.hidden = off; });
    });
  }
  document.addEventListener('change', function (e) { if (e.target.matches('[data-row-kind]')) sync(e.target); });
})();
