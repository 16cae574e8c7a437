// Phone layout helpers (no inline script: the CSP allows none). Without this file the
// pages still work: the nav toggle is a checkbox, and tables scroll inside their card.
document.addEventListener("DOMContentLoaded", function () {
  // Tables become cards below 640 px: each cell shows its column's header as its label.
  document.querySelectorAll(".table-wrap table").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.classList.add("cards");
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (!cell.hasAttribute("data-label") && heads[index] && !cell.hasAttribute("colspan")) {
          cell.setAttribute("data-label", heads[index]);
        }
      });
    });
  });
});
