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
