// Security keys and passkeys (WebAuthn). A form with data-webauthn="create" (add a key)
// or "get" (sign in with one) carries in data-options the options the server made for
// it (JSON, binary values in base64url). On submit the browser is asked for the key;
// its answer, as JSON with base64url values, goes into the form's hidden "credential"
// field and the form is sent with its CSRF token like any other.
"use strict";

(() => {
  const decode = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  };

  const encode = (buffer) => {
    let text = "";
    for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const descriptors = (list) => (list || []).map((d) => ({ ...d, id: decode(d.id) }));

  const creationOptions = (options) => ({
    ...options,
    challenge: decode(options.challenge),
    user: { ...options.user, id: decode(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  });

  const requestOptions = (options) => ({
    ...options,
    challenge: decode(options.challenge),
    allowCredentials: descriptors(options.allowCredentials),
  });

  // The answer as py_webauthn reads it.
  const answer = (credential) => {
    const r = credential.response;
    const response = { clientDataJSON: encode(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = encode(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = encode(r.authenticatorData);
      response.signature = encode(r.signature);
      if (r.userHandle) response.userHandle = encode(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: encode(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      response,
    };
  };

  const say = (form, message) => {
    const status = form.querySelector("[data-webauthn-status]");
    if (status) {
      status.textContent = message;
      status.hidden = !message;
    }
  };

  const MESSAGES = {
    NotAllowedError: "The key did not answer, or the request was cancelled. Try again.",
    InvalidStateError: "This key is registered to your account already.",
    SecurityError: "This browser refuses keys at this address: open the tracker at its own address.",
  };

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-webauthn]");
    if (!form) return;
    event.preventDefault();
    if (!window.PublicKeyCredential || !navigator.credentials) {
      say(form, "This browser cannot use security keys: use another factor.");
      return;
    }
    if (!form.reportValidity()) return;
    say(form, "");
    const options = JSON.parse(form.dataset.options);
    try {
      const credential = form.dataset.webauthn === "create"
        ? await navigator.credentials.create({ publicKey: creationOptions(options) })
        : await navigator.credentials.get({ publicKey: requestOptions(options) });
      form.querySelector("input[name$='credential']").value = JSON.stringify(answer(credential));
      form.submit();
    } catch (error) {
      say(form, MESSAGES[error.name] || `The key could not be used (${error.message}).`);
    }
  });
})();
