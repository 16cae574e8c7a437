// Pickers (no inline script: the CSP allows none). Without JavaScript every picker is a
// plain select or text input and still works.
//
// select[data-picker]: units grouped by kind become searchable (Tom Select, vendored);
// a multiple select becomes a list of chosen units with a remove button each.
document.querySelectorAll("select[data-picker]").forEach(function (select) {
  new TomSelect(select, {
    plugins: select.multiple ? ["remove_button"] : [],
    maxOptions: null,
    allowEmptyOption: true,
    hidePlaceholder: true,
    placeholder: select.dataset.placeholder,
    lockOptgroupOrder: true,
    closeAfterSelect: !select.multiple,
    render: {
      no_results: function () {
        var div = document.createElement("div");
        div.className = "no-results";
        div.textContent = select.dataset.noResults;
        return div;
      }
    }
  });
});

// input[data-suggest]: as the user types, the input's datalist fills with the items the
// server suggests (code and title); the browser shows them under the input.
document.querySelectorAll("input[data-suggest]").forEach(function (input) {
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  var asked = null;
  function fill(words) {
    if (words === asked) { return; }
    asked = words;
    var url = new URL(input.dataset.suggest, window.location.href);
    url.searchParams.set("q", words);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {items: []}; })
      .then(function (data) {
        if (words !== asked) { return; }
        list.replaceChildren.apply(list, data.items.map(function (text) {
          var option = document.createElement("option");
          option.value = text;
          return option;
        }));
      });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { fill(input.value.trim()); }, 150);
  });
  input.addEventListener("focus", function () { fill(input.value.trim()); });
});
