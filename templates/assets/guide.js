// unboxed guides: plain JavaScript, no library, no request: works from file:// and any static server.
'use strict';

// ---- the quiz ----------------------------------------------------------------------------------------------------
// Each question holds its answer (data-answer), a key for what it asks (data-key), and the why. A click marks the
// chosen answer right or wrong, marks the right one, and says why; "Try again" clears it. This browser's local
// storage keeps the answers per lab (key unboxed-quiz:LABID), so a reload shows them and the score again; "Reset my
// answers" forgets them. A question whose key changed (the lab rewrote it) starts unanswered.
var Quiz = (function () {
  function load(name) {
    try {
      var v = JSON.parse(window.localStorage.getItem(name) || '{}');
      return v && typeof v === 'object' ? v : {};
    } catch (e) {
      return {}; // storage off or unreadable: the quiz still works, it just forgets
    }
  }
  function save(name, answers) {
    try {
      if (Object.keys(answers).length) window.localStorage.setItem(name, JSON.stringify(answers));
      else window.localStorage.removeItem(name);
    } catch (e) {
      // storage off or full: nothing to keep the answers in
    }
  }
  function start(section) {
    var lab = section.closest('[data-lab]');
    var name = 'unboxed-quiz:' + (lab ? lab.getAttribute('data-lab') : location.pathname);
    var answers = load(name);
    var score = section.querySelector('.quiz-score');
    var scoreText = score.querySelector('.score-text');
    var questions = Array.prototype.slice.call(section.querySelectorAll('.question'));

    function update() {
      var answered = 0, right = 0;
      questions.forEach(function (q) {
        var r = q.getAttribute('data-result');
        if (r) answered++;
        if (r === 'right') right++;
      });
      scoreText.textContent = answered === 0
        ? questions.length + ' questions, none answered yet.'
        : 'Your score: ' + right + ' of ' + questions.length + ' right' +
          (answered < questions.length ? ' (' + (questions.length - answered) + ' not answered yet).' : '.');
      score.setAttribute('data-right', String(right));
      score.setAttribute('data-answered', String(answered));
    }

    var api = questions.map(function (q) {
      var answer = Number(q.getAttribute('data-answer'));
      var key = q.getAttribute('data-key');
      var choices = Array.prototype.slice.call(q.querySelectorAll('button.choice'));
      var feedback = q.querySelector('.feedback');
      var verdict = feedback.querySelector('.verdict');
      function choose(i) {
        var right = i === answer;
        choices.forEach(function (b, j) {
          b.disabled = true;
          b.classList.toggle('right', j === answer);
          b.classList.toggle('wrong', j === i && !right);
          b.classList.toggle('chosen', j === i);
          b.setAttribute('aria-pressed', j === i ? 'true' : 'false');
        });
        feedback.hidden = false;
        feedback.classList.toggle('is-right', right);
        feedback.classList.toggle('is-wrong', !right);
        verdict.textContent = right ? 'Right.' : 'Not quite: the answer is "' + choices[answer].textContent.trim() + '".';
        q.setAttribute('data-result', right ? 'right' : 'wrong');
      }
      function clear() {
        choices.forEach(function (b) {
          b.disabled = false;
          b.classList.remove('right', 'wrong', 'chosen');
          b.removeAttribute('aria-pressed');
        });
        feedback.hidden = true;
        feedback.classList.remove('is-right', 'is-wrong');
        q.removeAttribute('data-result');
      }
      choices.forEach(function (button, i) {
        button.addEventListener('click', function () {
          choose(i);
          answers[key] = i;
          save(name, answers);
          update();
        });
      });
      q.querySelector('button.again').addEventListener('click', function () {
        clear();
        delete answers[key];
        save(name, answers);
        update();
        choices[0].focus();
      });
      var kept = answers[key];
      if (typeof kept === 'number' && kept >= 0 && kept < choices.length) choose(kept);
      return clear;
    });
    // answers kept for questions this page no longer asks are dropped
    var keys = questions.map(function (q) { return q.getAttribute('data-key'); });
    Object.keys(answers).forEach(function (k) { if (keys.indexOf(k) < 0) delete answers[k]; });
    save(name, answers);

    score.querySelector('button.reset-answers').addEventListener('click', function () {
      api.forEach(function (clear) { clear(); });
      answers = {};
      save(name, answers);
      update();
    });
    score.hidden = false;
    update();
  }
  return { start: start };
})();

// ---- copy buttons ------------------------------------------------------------------------------------------------
// Every shell block gets a Copy button that copies its commands: the text without the "$ " prompts and notes.
// navigator.clipboard needs a secure context (https, localhost; file:// in Chromium); elsewhere, or when it is
// refused, a hidden textarea and document.execCommand('copy') do it.
var Copy = (function () {
  function commands(pre) {
    var code = pre.cloneNode(true);
    code.querySelectorAll('.prompt, .note').forEach(function (e) { e.remove(); });
    return code.textContent.replace(/\s+$/, '') + '\n';
  }
  function fallback(text) {
    var t = document.createElement('textarea');
    t.value = text;
    t.setAttribute('readonly', '');
    t.className = 'copy-buffer';
    document.body.appendChild(t);
    t.select();
    var ok = false;
    try {
      ok = document.execCommand('copy');
    } catch (e) {
      ok = false;
    }
    t.remove();
    return ok;
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallback(text); });
    }
    return Promise.resolve(fallback(text));
  }
  function start(block) {
    var pre = block.querySelector('pre');
    if (!pre) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy the commands');
    button.addEventListener('click', function () {
      copy(commands(pre)).then(function (ok) {
        button.textContent = ok ? 'Copied' : 'Select and copy by hand';
        button.setAttribute('data-copied', ok ? 'yes' : 'no');
        window.setTimeout(function () { button.textContent = 'Copy'; }, 2000);
      });
    });
    block.classList.add('has-copy');
    block.insertBefore(button, pre);
  }
  return { start: start, commands: commands };
})();

// ---- code that scrolls says so ---------------------------------------------------------------------------------
// A <pre> wider than its box scrolls sideways; it gets class "scrolls" (a fade at the edge and a "scroll →" cue)
// while there is more to its right.
function markScrolling() {
  document.querySelectorAll('pre, figure.picture').forEach(function (el) {
    var more = el.scrollWidth - el.clientWidth - el.scrollLeft > 1;
    el.classList.toggle('scrolls', el.scrollWidth > el.clientWidth + 1);
    el.classList.toggle('more-right', more);
  });
}

// ---- which machine's output ------------------------------------------------------------------------------------
// A lab whose output differs on cgroup v1 has both recordings; the buttons choose which one the page shows (cgroup v2,
// the VM's, first), and the choice is kept in the browser for every page.
var Machine = (function () {
  var KEY = 'unboxed-machine';
  function show(article, which) {
    article.setAttribute('data-machine', which);
    article.querySelectorAll('.machine-switch button').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-machine') === which));
    });
    markScrolling();
  }
  function start(article) {
    var saved = null;
    try { saved = window.localStorage.getItem(KEY); } catch (e) { /* storage off: v2 every time */ }
    if (saved && article.querySelector('.machine-switch button[data-machine="' + saved + '"]')) show(article, saved);
    article.querySelectorAll('.machine-switch button').forEach(function (b) {
      b.addEventListener('click', function () {
        var which = b.getAttribute('data-machine');
        show(article, which);
        try { window.localStorage.setItem(KEY, which); } catch (e) { /* kept for this page only */ }
      });
    });
  }
  return { start: start };
})();

document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('article[data-machine]').forEach(Machine.start);
  document.querySelectorAll('section.quiz').forEach(Quiz.start);
  document.querySelectorAll('.block.shell').forEach(Copy.start);
  markScrolling();
  window.addEventListener('resize', markScrolling);
  document.querySelectorAll('pre, figure.picture').forEach(function (el) {
    el.addEventListener('scroll', function () {
      el.classList.toggle('more-right', el.scrollWidth - el.clientWidth - el.scrollLeft > 1);
    }, { passive: true });
  });
  // a closed <details> has no width to measure: measure again when it opens
  document.querySelectorAll('details').forEach(function (d) { d.addEventListener('toggle', markScrolling); });
});

// On paper nothing unfolds: the hints print open (a closed <details> hides its content from CSS), and fold back after.
(function () {
  var opened = [];
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details:not([open])').forEach(function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
