// unboxed presenter view: one slide at a time. Right, Down, Page Down, Space: next; Left, Up, Page Up, Shift+Space:
// back; Home, End: first, last; N: speaker notes. The address keeps the slide (#s3), so a reload stays on it.
// Plain JavaScript, no library, no request: works from file:// and any static server.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var slides = Array.prototype.slice.call(document.querySelectorAll('.slide'));
  if (!slides.length) return;
  var body = document.body;
  var where = document.querySelector('.controls .where');
  var prev = document.querySelector('.controls .prev');
  var next = document.querySelector('.controls .next');
  var toggle = document.querySelector('.controls .toggle-notes');
  var current = -1;
  body.classList.add('js');

  function fromHash() {
    var m = /^#s(\d+)$/.exec(location.hash);
    return m ? Number(m[1]) - 1 : 0;
  }
  function show(i) {
    i = Math.max(0, Math.min(slides.length - 1, i));
    if (i !== current) {
      slides.forEach(function (s, j) {
        s.classList.toggle('current', j === i);
        s.setAttribute('aria-hidden', j === i ? 'false' : 'true');
      });
      slides[i].scrollTop = 0;
      current = i;
    }
    where.textContent = (i + 1) + ' / ' + slides.length;
    body.setAttribute('data-slide', String(i + 1));
    prev.disabled = i === 0;
    next.disabled = i === slides.length - 1;
    var hash = '#s' + (i + 1);
    if (location.hash !== hash) {
      try { history.replaceState(null, '', hash); } catch (e) { location.hash = hash; }
    }
  }
  function notes(on) {
    body.classList.toggle('show-notes', on);
    toggle.setAttribute('aria-pressed', on ? 'true' : 'false');
    try { sessionStorage.setItem('unboxed-notes', on ? '1' : ''); } catch (e) { /* storage off: notes start hidden */ }
  }

  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var to = null;
    switch (e.key) {
      case 'ArrowRight': case 'ArrowDown': case 'PageDown': to = current + 1; break;
      case 'ArrowLeft': case 'ArrowUp': case 'PageUp': to = current - 1; break;
      case ' ': case 'Spacebar': to = e.shiftKey ? current - 1 : current + 1; break;
      case 'Home': to = 0; break;
      case 'End': to = slides.length - 1; break;
      case 'n': case 'N': notes(!body.classList.contains('show-notes')); e.preventDefault(); return;
      default: return;
    }
    e.preventDefault(); // Space would press a focused button or scroll the page
    show(to);
  });
  prev.addEventListener('click', function () { show(current - 1); });
  next.addEventListener('click', function () { show(current + 1); });
  toggle.addEventListener('click', function () { notes(!body.classList.contains('show-notes')); });
  window.addEventListener('hashchange', function () { show(fromHash()); });
  try { notes(sessionStorage.getItem('unboxed-notes') === '1'); } catch (e) { notes(false); }
  show(fromHash());
});
