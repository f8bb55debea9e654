// unboxed guides: the quiz. Plain JavaScript, no library, no request: works from file:// and any static server.
// Each question holds its answer (data-answer) and the why; a click marks the choice right or wrong, shows the right
// one, and says why. "Try again" clears it.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('.question').forEach(function (q) {
    var answer = Number(q.getAttribute('data-answer'));
    var choices = Array.prototype.slice.call(q.querySelectorAll('button.choice'));
    var feedback = q.querySelector('.feedback');
    var verdict = feedback.querySelector('.verdict');
    choices.forEach(function (button, i) {
      button.addEventListener('click', function () {
        var right = i === answer;
        choices.forEach(function (b, j) {
          b.disabled = true;
          b.classList.toggle('right', j === answer);
          b.classList.toggle('wrong', j === i && !right);
          b.setAttribute('aria-pressed', j === i ? 'true' : 'false');
        });
        feedback.hidden = false;
        feedback.classList.toggle('ok', right);
        feedback.classList.toggle('no', !right);
        verdict.textContent = right ? 'Right.' : 'Not quite: the answer is "' + choices[answer].textContent.trim() + '".';
        q.setAttribute('data-result', right ? 'right' : 'wrong');
      });
    });
    q.querySelector('button.again').addEventListener('click', function () {
      choices.forEach(function (b) {
        b.disabled = false;
        b.classList.remove('right', 'wrong');
        b.removeAttribute('aria-pressed');
      });
      feedback.hidden = true;
      q.removeAttribute('data-result');
      choices[0].focus();
    });
  });
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
