// The floor: the app opened straight from the click, with no check at all; with data-blank-first,
// the way the gate opens it (a blank popup inside the click, then navigated), still with no wait.
const button = document.getElementById('open');
button.addEventListener('click', () => {
  const { url, blankFirst } = button.dataset;
  if (blankFirst !== '1') return void window.open(url, 'SpeaknosisPopUp', 'width=900,height=650');
  const popup = window.open('about:blank', 'SpeaknosisPopUp', 'width=900,height=650');
  popup.location.replace(url);
});
