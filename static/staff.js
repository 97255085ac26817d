// Reply templates: choosing one fills the reply box (it can then be edited).
document.querySelectorAll("select[data-fills]").forEach(function (select) {
  select.addEventListener("change", function () {
    var target = document.getElementById(select.dataset.fills);
    if (target && select.value) { target.value = select.value; target.focus(); }
  });
});
