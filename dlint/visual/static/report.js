"use strict";
(function () {
  var filters = document.getElementById("filters");
  var blocks = Array.prototype.slice.call(document.querySelectorAll(".block"));
  var shown = document.getElementById("shown");
  var total = document.querySelectorAll(".row").length;

  function chosen() {
    var severities = {};
    filters.querySelectorAll("input[name=severity]").forEach(function (box) {
      severities[box.value] = box.checked;
    });
    return {
      severities: severities,
      rule: filters.querySelector("select[name=rule]").value,
      subset: filters.querySelector("select[name=subset]").value,
      file: filters.querySelector("select[name=file]").value,
      item: filters.querySelector("input[name=item]").value.trim().toLowerCase()
    };
  }

  function apply() {
    var want = chosen();
    var count = 0;
    blocks.forEach(function (block) {
      var inBlock = (!want.subset || block.dataset.subset === want.subset) &&
        (!want.file || block.dataset.file === want.file) &&
        (!want.item || block.dataset.item.toLowerCase().indexOf(want.item) !== -1);
      var visible = 0;
      block.querySelectorAll(".row").forEach(function (row) {
        var keep = inBlock && want.severities[row.dataset.severity] !== false &&
          (!want.rule || row.dataset.rule === want.rule);
        row.hidden = !keep;
        if (keep) { visible += 1; }
      });
      block.hidden = visible === 0;
      count += visible;
    });
    shown.textContent = count + " of " + total + " shown";
  }

  function focus(row) {
    var block = row.closest(".block");
    var index = row.dataset.annotation;
    block.querySelectorAll(".row.focus").forEach(function (other) { other.classList.remove("focus"); });
    row.classList.add("focus");
    block.querySelectorAll("svg g.ann").forEach(function (group) {
      var mine = index !== undefined && group.dataset.index === index;
      group.classList.toggle("hl", mine);
      group.classList.toggle("dim", index !== undefined && !mine);
      if (mine) { group.parentNode.appendChild(group); }
    });
  }

  if (filters) {
    filters.addEventListener("input", apply);
    filters.addEventListener("change", apply);
    apply();
  }
  document.querySelectorAll(".row[data-annotation]").forEach(function (row) {
    row.addEventListener("click", function () { focus(row); });
    row.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { focus(row); }
    });
  });
  document.querySelectorAll("a.code").forEach(function (link) {
    link.addEventListener("click", function () {
      var rule = document.getElementById(link.getAttribute("href").slice(1));
      if (rule) { rule.open = true; }
    });
  });
})();
