// Pickers of people, accounts and products search as one types: selects marked data-search
// become Tom Select (static/vendor/tom-select). Without JavaScript they stay plain selects and the
// form posts the same values. Rows added later (formset.js's "Add row", htmx swaps) are picked up
// by the observer; the row <template> itself is never touched.
(function () {
  if (!window.TomSelect) return;

  function enhance(select) {
    if (select.tomselect || select.closest('template')) return;
    var picker = new TomSelect(select, {
      plugins: select.multiple ? ['remove_button'] : [],
      maxOptions: null,
      allowEmptyOption: true,
      create: false,
      lockOptgroupOrder: true,
    });
    // Tom Select points the <label> at its search box; the select it hides keeps the label's name.
    var named = select.id && document.querySelector('label[for="' + select.id + '-ts-control"]');
    if (named && !select.hasAttribute('aria-label')) {
      if (!named.id) named.id = select.id + '-ts-label';
      select.setAttribute('aria-labelledby', named.id);
    }
    // A row's select is named by aria-label (it has no <label>): the search box says the same.
    var label = select.getAttribute('aria-label');
    if (label) picker.control_input.setAttribute('aria-label', label);
    // In a row table the search box takes no room of its own (the theme gives it 7rem): the
    // tables must fit the screen, and the option shown is as wide as the plain select's.
    if (select.closest('td')) picker.control_input.style.minWidth = '1rem';
    // A cell hidden for another kind of row hides the picker too (formset.js toggles the cell's children).
    if (select.hidden) picker.wrapper.hidden = true;
  }

  function scan(root) {
    if (root.matches && root.matches('select[data-search]')) enhance(root);
    if (root.querySelectorAll) root.querySelectorAll('select[data-search]').forEach(enhance);
  }

  scan(document);
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) { if (node.nodeType === 1) scan(node); });
    });
  }).observe(document.body, { childList: true, subtree: true });
})();
