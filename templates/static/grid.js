// Sizerun order grid: live totals, keyboard moves and spreadsheet paste.
// The page works without it: the server computes the totals on save.
//
// Markup (templates/pages/order_grid.html): table.ordergrid[data-price] (unit
// price in hundredths); per colour row, the size cells input.qty in size
// order, then the prepack cells input.qty.pack[data-ratio="size column:pieces,…"];
// totals in [data-row-qty],
// [data-row-amt], [data-col-qty=N], [data-grid-qty], [data-grid-amt], and
// over every grid of the page [data-all-qty], [data-all-amt].
(function () {
  "use strict";

  var tables = Array.prototype.filter.call(document.querySelectorAll("table.ordergrid"), function (t) {
    return t.querySelector("input.qty");
  });
  if (!tables.length) return;

  function whole(v) {
    v = String(v == null ? "" : v).replace(/[\s,]/g, "");
    return /^\d+$/.test(v) ? parseInt(v, 10) : 0;
  }

  function group(n) {
    var s = String(Math.abs(n)), out = "";
    while (s.length > 3) {
      out = "," + s.slice(-3) + out;
      s = s.slice(0, -3);
    }
    return (n < 0 ? "-" : "") + s + out;
  }

  // money formats hundredths as "1,234.50", like the server.
  function money(cents) {
    var neg = cents < 0;
    cents = Math.abs(cents);
    var units = Math.floor(cents / 100), rest = cents % 100;
    return (neg ? "-" : "") + group(units) + "." + (rest < 10 ? "0" : "") + rest;
  }

  function set(root, sel, text) {
    var el = root.querySelector(sel);
    if (el) el.textContent = text;
  }

  // totals recomputes one grid and returns its quantity and value.
  function totals(table) {
    var price = parseInt(table.getAttribute("data-price"), 10) || 0;
    var cols = {}, gridQty = 0;
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var inputs = tr.querySelectorAll("input.qty");
      if (!inputs.length) return;
      var rowQty = 0, col = 0;
      inputs.forEach(function (inp) {
        var n = whole(inp.value);
        var ratio = inp.getAttribute("data-ratio");
        if (ratio) {
          ratio.split(",").forEach(function (part) {
            var kv = part.split(":"), c = kv[0], per = parseInt(kv[1], 10) || 0;
            if (c === "") return;
            cols[c] = (cols[c] || 0) + n * per;
            rowQty += n * per;
          });
        } else {
          cols[col] = (cols[col] || 0) + n;
          col++;
          rowQty += n;
        }
      });
      set(tr, "[data-row-qty]", group(rowQty));
      set(tr, "[data-row-amt]", money(rowQty * price));
      gridQty += rowQty;
    });
    table.querySelectorAll("[data-col-qty]").forEach(function (td) {
      td.textContent = group(cols[td.getAttribute("data-col-qty")] || 0);
    });
    set(table, "[data-grid-qty]", group(gridQty));
    set(table, "[data-grid-amt]", money(gridQty * price));
    return { qty: gridQty, amount: gridQty * price };
  }

  function recalcAll() {
    var qty = 0, amount = 0;
    tables.forEach(function (t) {
      var r = totals(t);
      qty += r.qty;
      amount += r.amount;
    });
    set(document, "[data-all-qty]", group(qty));
    set(document, "[data-all-amt]", money(amount));
  }

  // matrix returns a grid's inputs by row and column (sizes, then prepacks).
  function matrix(table) {
    if (!table._cells) {
      table._cells = [];
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var row = Array.prototype.slice.call(tr.querySelectorAll("input.qty"));
        if (row.length) table._cells.push(row);
      });
    }
    return table._cells;
  }

  function cell(table, r, c) {
    var m = matrix(table);
    return m[r] && m[r][c];
  }

  function position(table, el) {
    var m = matrix(table);
    for (var r = 0; r < m.length; r++) {
      var c = m[r].indexOf(el);
      if (c >= 0) return [r, c];
    }
    return null;
  }

  function focusCell(el) {
    if (!el) return false;
    el.focus();
    if (el.select) el.select();
    return true;
  }

  var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  var dirty = false;

  tables.forEach(function (table) {
    table.addEventListener("input", function (e) {
      if (e.target.matches && e.target.matches("input.qty")) {
        dirty = true;
        recalcAll();
      }
    });

    table.addEventListener("keydown", function (e) {
      var el = e.target;
      var d = moves[e.key];
      if (!d || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || !el.matches || !el.matches("input.qty")) return;
      var at = position(table, el);
      if (!at) return;
      // Up and down would change a number input's value: they move instead.
      e.preventDefault();
      focusCell(cell(table, at[0] + d[0], at[1] + d[1]));
    });

    // Pasting a row (or block) copied from a spreadsheet fills the cells to
    // the right (and below) of the one pasted into.
    table.addEventListener("paste", function (e) {
      var el = e.target;
      if (!el.matches || !el.matches("input.qty")) return;
      var data = (e.clipboardData || window.clipboardData);
      var text = data ? data.getData("text") : "";
      if (!/[\t\n]/.test(text)) return;
      e.preventDefault();
      var at = position(table, el);
      if (!at) return;
      var r0 = at[0], c0 = at[1];
      var rows = text.replace(/\r/g, "").split("\n");
      while (rows.length && rows[rows.length - 1] === "") rows.pop();
      rows.forEach(function (line, i) {
        line.split("\t").forEach(function (v, j) {
          var target = cell(table, r0 + i, c0 + j);
          if (!target) return;
          v = v.replace(/[\s,]/g, "");
          target.value = v === "0" ? "" : v;
        });
      });
      dirty = true;
      recalcAll();
    });
  });

  // Warn before leaving a grid with unsaved changes.
  document.addEventListener("submit", function () { dirty = false; }, true);
  window.addEventListener("beforeunload", function (e) {
    if (!dirty) return;
    e.preventDefault();
    e.returnValue = "";
  });

  recalcAll();
})();
