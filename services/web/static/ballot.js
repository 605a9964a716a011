// The QR code's link carries the ballot token after '#': browsers never send the
// fragment to a server. Move it into the entry form, drop it from the address bar
// and history, and post it, so it reaches the server only in a request body.
(function () {
  const form = document.getElementById('ballot-entry');
  const token = decodeURIComponent(location.hash.slice(1));
  if (!form || !token) return;
  history.replaceState(null, '', location.pathname);
  form.elements.token.value = token;
  if (form.requestSubmit) form.requestSubmit(); else form.submit();
})();
