// unboxed class view, live. The page says when each learner last checked (data-last on the row); at every load this
// marks again, by this browser's clock, who has been silent longer than data-silent-after seconds. With data-reload
// (guide class DIR --watch) it reloads itself that often and comes back to where it was scrolled.
// Plain JavaScript, no request: works from file://.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var view = document.querySelector('.class-view');
  if (!view) return;
  var silentAfter = Number(view.getAttribute('data-silent-after')) || 0;
  var reload = Number(view.getAttribute('data-reload')) || 0;
  var key = 'unboxed-scroll:' + location.pathname;

  // the same wording as ClassView.ago: "45 s", "12 min", "2 h 5 min", "3 days"
  function ago(s) {
    s = Math.max(0, Math.floor(s));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    if (s >= 172800) return Math.floor(s / 86400) + ' days';
    var m = Math.floor(s % 3600 / 60);
    return Math.floor(s / 3600) + ' h' + (m ? ' ' + m + ' min' : '');
  }
  function mark() {
    document.querySelectorAll('tr.learner[data-last]').forEach(function (row) {
      var last = Date.parse(row.getAttribute('data-last'));
      if (isNaN(last)) return;
      var since = (Date.now() - last) / 1000;
      var silent = silentAfter > 0 && since > silentAfter;
      row.classList.toggle('silent', silent);
      var a = row.querySelector('.ago');
      if (a) a.textContent = '(' + ago(since) + ' ago)';
      var m = row.querySelector('.silent-mark');
      if (m) m.hidden = !silent;
    });
  }
  mark();
  setInterval(mark, 1000);

  if (reload > 0) {
    try {
      var y = sessionStorage.getItem(key);
      if (y !== null) window.scrollTo(0, Number(y));
    } catch (e) { /* storage off: the page starts at the top */ }
    setTimeout(function () {
      try { sessionStorage.setItem(key, String(window.scrollY)); } catch (e) { /* see above */ }
      location.reload();
    }, reload * 1000);
  }
});
