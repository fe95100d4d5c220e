/*!
 * Group insurance assistant: the chat widget.
 *
 * Embed it on any page with one script tag and an init call (from your own script file):
 *
 *   <script src="https://ASSISTANT-HOST/static/widget.js" defer></script>
 *   GroupInsuranceChat.init({lang: "nl", title: "Vragen over uw groepsverzekering?", startOpen: false});
 *
 * or, without any script of your own, with data attributes on the tag:
 *
 *   <script src="https://ASSISTANT-HOST/static/widget.js" data-init data-lang="fr" defer></script>
 *
 * Options: lang ("nl" | "fr"; a choice the person made in the widget wins), title (a text, or
 * {nl: ..., fr: ...}), startOpen (boolean), apiBase (the web app's base URL; default: where this
 * script comes from). The widget lives in a shadow root, so the host page's styles do not leak in.
 *
 * Safe rendering: every text from a message is put in the page with textContent; links are made only
 * from http(s) and e-mail addresses written in the text. Nothing is ever parsed as HTML.
 *
 * Claim documents: a message with `upload` ({url, reference, kinds: [{kind, label}]}) gets a small form
 * under it (which document, the file, "Upload"), on the latest such message only. The file goes to
 * `url` (POST multipart/form-data, with the login cookie and the header X-Requested-With); each document
 * received adds a line to the conversation and leaves only the documents still missing in the form.
 */
(function (window, document) {
  "use strict";

  var SCRIPT = document.currentScript;
  var LANGS = ["nl", "fr"];
  var PREFIX = "gi-chat:";
  var CLIENT_TIMEOUT_MS = 25000; // the server gives up on Rasa after RASA_TIMEOUT (15 s by default)
  var MAX_STORED_MESSAGES = 200;
  var LINK_RE = /(\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b)|(\bhttps?:\/\/[^\s<>"']+)|(\b(?:www\.)?[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.(?:be|com|eu|org|net|fr|nl)\b(?:\/[^\s<>"']*)?)/gi;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]»’”'"]+$/;
  var UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";
  var UPLOAD_HEADER = "GroupInsuranceChat"; // X-Requested-With: the upload API refuses a POST without it

  // ---- small helpers ------------------------------------------------------------------------

  function normalizeLang(value) {
    if (typeof value !== "string") return null;
    var code = value.trim().toLowerCase().replace("_", "-").split("-")[0];
    return LANGS.indexOf(code) >= 0 ? code : null;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svgIcon(paths) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "gic-icon");
    paths.forEach(function (d) {
      var path = document.createElementNS(ns, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    });
    return svg;
  }

  var ICONS = {
    chat: ["M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2Z"],
    close: ["M6 6l12 12", "M18 6L6 18"],
    plus: ["M12 5v14", "M5 12h14"],
    send: ["M4 12l16-8-6 16-2.5-6.5L4 12Z"]
  };

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function storage(kind) {
    var area = null;
    try { area = window[kind]; } catch (e) { area = null; }
    return {
      get: function (key) {
        try { var raw = area && area.getItem(PREFIX + key); return raw ? JSON.parse(raw) : null; } catch (e) { return null; }
      },
      set: function (key, value) {
        try { if (area) area.setItem(PREFIX + key, JSON.stringify(value)); } catch (e) { /* full or blocked */ }
      },
      remove: function (key) {
        try { if (area) area.removeItem(PREFIX + key); } catch (e) { /* blocked */ }
      }
    };
  }

  var local = storage("localStorage");
  var session = storage("sessionStorage");

  // Plain text with paragraphs (blank line) and list items ("- ") into DOM nodes, links made safely.
  function appendLinkified(parent, text, newTabText) {
    var last = 0;
    var match;
    LINK_RE.lastIndex = 0;
    while ((match = LINK_RE.exec(text)) !== null) {
      var found = match[0].replace(TRAILING_PUNCTUATION, "");
      if (!found) continue;
      var href = match[1] ? "mailto:" + found : (match[2] ? found : "https://" + found);
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (/^(https?:\/\/|mailto:)/i.test(href)) {
        var link = el("a", {href: href, target: "_blank", rel: "noopener noreferrer"}, [found]);
        if (newTabText) link.appendChild(el("span", {"class": "gic-sr", text: " " + newTabText}));
        parent.appendChild(link);
      } else {
        parent.appendChild(document.createTextNode(found));
      }
      last = match.index + found.length;
      LINK_RE.lastIndex = last;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function textNodes(text, newTabText) {
    var nodes = [];
    String(text || "").trim().split(/\n[ \t]*\n/).forEach(function (paragraph) {
      var lines = [];
      var items = [];
      function flushLines() {
        if (!lines.length) return;
        var p = el("p");
        lines.forEach(function (line, i) {
          if (i) p.appendChild(el("br"));
          appendLinkified(p, line, newTabText);
        });
        nodes.push(p);
        lines = [];
      }
      function flushItems() {
        if (!items.length) return;
        var ul = el("ul");
        items.forEach(function (item) {
          var li = el("li");
          appendLinkified(li, item, newTabText);
          ul.appendChild(li);
        });
        nodes.push(ul);
        items = [];
      }
      paragraph.split("\n").forEach(function (line) {
        var trimmed = line.replace(/\s+$/, "");
        if (/^\s*- /.test(trimmed)) {
          flushLines();
          items.push(trimmed.replace(/^\s*- /, ""));
        } else if (items.length && /^[ \t]/.test(trimmed)) {
          items[items.length - 1] += " " + trimmed.trim();
        } else if (trimmed.trim()) {
          flushItems();
          lines.push(trimmed);
        }
      });
      flushLines();
      flushItems();
    });
    return nodes;
  }

  // The `upload` of a message from the API, reduced to what the widget uses and stores.
  function cleanUpload(raw) {
    if (!raw || typeof raw !== "object" || typeof raw.url !== "string" || !Array.isArray(raw.kinds)) return null;
    var kinds = raw.kinds.filter(function (k) {
      return k && typeof k.kind === "string" && typeof k.label === "string";
    }).map(function (k) { return {kind: k.kind, label: k.label}; });
    if (!kinds.length) return null;
    return {url: raw.url, reference: typeof raw.reference === "string" ? raw.reference : "", kinds: kinds};
  }

  var uploadFormCount = 0;

  // ---- the widget -----------------------------------------------------------------------------

  var widget = null;

  function Widget(options) {
    this.options = options;
    this.base = options.apiBase;
    this.strings = {}; // lang -> payload of /api/i18n/<lang>
    this.pending = null; // {conversationId, message} while waiting for the assistant
    this.error = null; // {message, retry} after a failed request (never stored)
    this.uploadError = null; // {conversationId, message, text, lang} after a refused upload (never stored)
    this.uploadForms = window.WeakMap ? new WeakMap() : null; // message -> its form, kept across renders
    this.wantOpen = false;
    this.ready = false;
    this.lang = normalizeLang(local.get("lang")) || normalizeLang(options.lang) ||
      normalizeLang(document.documentElement.lang) || normalizeLang(window.navigator.language) || "nl";
    this.conversation = this.loadConversation(local.get("current"));
  }

  Widget.prototype.url = function (path) {
    return new URL(path, this.base).href;
  };

  Widget.prototype.t = function (key, values) {
    var payload = this.strings[this.lang];
    var text = payload && payload.strings[key];
    return values ? fill(text || key, values) : (text || key);
  };

  Widget.prototype.loadStrings = function (lang, attempt) {
    var self = this;
    if (self.strings[lang]) return Promise.resolve(self.strings[lang]);
    return window.fetch(self.url("api/i18n/" + lang), {credentials: "omit"}).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (payload) {
      self.strings[lang] = payload;
      return payload;
    }, function (error) {
      if ((attempt || 0) >= 2) throw error;
      return new Promise(function (resolve) { window.setTimeout(resolve, 1000 * ((attempt || 0) + 1)); })
        .then(function () { return self.loadStrings(lang, (attempt || 0) + 1); });
    });
  };

  // ---- conversation storage (localStorage: survives a reload and a new tab) -------------------

  Widget.prototype.loadConversation = function (id) {
    if (typeof id === "string" && /^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      var stored = local.get("conversation:" + id);
      var loaded = {id: id, messages: stored && Array.isArray(stored.messages) ? stored.messages : []};
      if (stored && stored.handoff && typeof stored.handoff.after === "number") loaded.handoff = stored.handoff;
      return loaded;
    }
    var fresh = {id: randomId(), messages: []};
    local.set("current", fresh.id);
    return fresh;
  };

  Widget.prototype.saveConversation = function (conversation) {
    var messages = conversation.messages.slice(-MAX_STORED_MESSAGES);
    var stored = {id: conversation.id, messages: messages};
    if (conversation.handoff) stored.handoff = conversation.handoff;  // polling resumes after a reload
    local.set("conversation:" + conversation.id, stored);
  };

  Widget.prototype.addMessages = function (conversationId, messages) {
    // The reply may arrive after the person started a new conversation: it goes where it belongs.
    var conversation = conversationId === this.conversation.id ? this.conversation : this.loadConversation(conversationId);
    Array.prototype.push.apply(conversation.messages, messages);
    this.saveConversation(conversation);
  };

  // ---- building the DOM -----------------------------------------------------------------------

  Widget.prototype.build = function () {
    var self = this;
    self.host = el("div", {id: "group-insurance-chat", "class": "group-insurance-chat"});
    document.body.appendChild(self.host);
    self.root = self.host.attachShadow ? self.host.attachShadow({mode: "open"}) : self.host;

    self.container = el("div", {"class": "gic", hidden: true});
    var stylesheet = el("link", {rel: "stylesheet", href: self.url("static/widget.css")});
    var shown = function () { self.container.hidden = false; };
    stylesheet.addEventListener("load", shown);
    stylesheet.addEventListener("error", shown);
    self.root.appendChild(stylesheet);
    self.root.appendChild(self.container);

    self.launcherText = el("span", {"class": "gic-launcher-text"});
    self.launcher = el("button", {
      type: "button", "class": "gic-launcher", "aria-expanded": "false", "aria-controls": "gic-panel",
      onclick: function () { self.open(); }
    }, [svgIcon(ICONS.chat), self.launcherText]);

    self.titleNode = el("h2", {id: "gic-title", "class": "gic-title"});
    self.subtitleNode = el("p", {"class": "gic-subtitle"});
    self.langButtons = LANGS.map(function (code) {
      var label = el("span", {"class": "gic-sr"});
      var button = el("button", {
        type: "button", "class": "gic-lang", lang: code, "data-lang": code,
        onclick: function () { self.setLanguage(code); }
      }, [el("span", {"aria-hidden": "true", text: code.toUpperCase()}), label]);
      button.srLabel = label;
      return button;
    });
    self.langGroup = el("div", {"class": "gic-langs", role: "group"}, self.langButtons);
    self.newText = el("span");
    self.newButton = el("button", {
      type: "button", "class": "gic-text-button gic-new", onclick: function () { self.newConversation(); }
    }, [svgIcon(ICONS.plus), self.newText]);
    self.closeButton = el("button", {
      type: "button", "class": "gic-icon-button gic-close", onclick: function () { self.close(); }
    }, [svgIcon(ICONS.close)]);

    self.list = el("ol", {"class": "gic-messages"});
    self.log = el("div", {"class": "gic-log", role: "region", tabindex: "0"}, [self.list]);

    self.inputLabel = el("label", {"for": "gic-input", "class": "gic-sr"});
    self.input = el("input", {
      id: "gic-input", "class": "gic-input", type: "text", autocomplete: "off", enterkeyhint: "send",
      "aria-describedby": "gic-input-error"
    });
    self.inputError = el("p", {id: "gic-input-error", "class": "gic-input-error", hidden: true});
    self.sendText = el("span", {"class": "gic-sr"});
    self.sendButton = el("button", {type: "submit", "class": "gic-send"}, [svgIcon(ICONS.send), self.sendText]);
    self.form = el("form", {
      "class": "gic-form", novalidate: true,
      onsubmit: function (event) { event.preventDefault(); self.submitInput(); }
    }, [self.inputLabel, el("div", {"class": "gic-input-row"}, [self.input, self.sendButton]), self.inputError]);
    self.disclaimer = el("p", {"class": "gic-disclaimer"});

    self.panel = el("section", {
      id: "gic-panel", "class": "gic-panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "gic-title", hidden: true,
      onkeydown: function (event) {
        if (event.key === "Escape" || event.key === "Esc") {
          event.preventDefault();
          self.close();
        } else if (event.key === "Tab" && self.fullScreen()) {
          self.keepFocusInside(event);
        }
      }
    }, [
      el("header", {"class": "gic-header"}, [
        el("div", {"class": "gic-heading"}, [self.titleNode, self.subtitleNode]),
        self.closeButton
      ]),
      el("div", {"class": "gic-toolbar"}, [self.langGroup, self.newButton]),
      self.log,
      el("div", {"class": "gic-footer"}, [self.form, self.disclaimer])
    ]);

    // Announces each new message (and errors) to screen readers; outside the panel so that it
    // exists before anything is said in it.
    self.announcer = el("div", {"class": "gic-sr", "aria-live": "polite", "aria-atomic": "true", role: "status"});

    self.container.appendChild(self.launcher);
    self.container.appendChild(self.panel);
    self.container.appendChild(self.announcer);

    window.addEventListener("storage", function (event) { self.onStorage(event); });
  };

  // On a phone the panel covers the page: it then behaves as a modal dialog and Tab stays inside it.
  var FULL_SCREEN = "(max-width: 520px)";

  Widget.prototype.fullScreen = function () {
    return !!(window.matchMedia && window.matchMedia(FULL_SCREEN).matches);
  };

  Widget.prototype.keepFocusInside = function (event) {
    var focusable = Array.prototype.filter.call(
      this.panel.querySelectorAll("button, a[href], input, select, [tabindex='0']"),
      function (node) { return !node.disabled && node.getClientRects().length > 0; });
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    var active = this.root.activeElement || document.activeElement;
    if (event.shiftKey && active === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && active === last) { event.preventDefault(); first.focus(); }
  };

  Widget.prototype.title = function () {
    var title = this.options.title;
    if (title && typeof title === "object") title = title[this.lang] || title.nl || title.fr;
    return typeof title === "string" && title.trim() ? title : this.t("title");
  };

  Widget.prototype.renderChrome = function () {
    var self = this;
    var payload = self.strings[self.lang];
    self.container.setAttribute("lang", self.lang);
    self.launcherText.textContent = self.t("launcher");
    self.titleNode.textContent = self.title();
    self.subtitleNode.textContent = self.t("subtitle");
    self.langGroup.setAttribute("aria-label", self.t("language"));
    self.langButtons.forEach(function (button) {
      var code = button.getAttribute("data-lang");
      button.setAttribute("aria-pressed", code === self.lang ? "true" : "false");
      button.srLabel.textContent = code === "nl" ? "Nederlands" : "Français";
    });
    self.newText.textContent = self.t("new_conversation");
    self.closeButton.setAttribute("aria-label", self.t("close"));
    self.closeButton.setAttribute("title", self.t("close"));
    self.log.setAttribute("aria-label", self.t("conversation"));
    self.inputLabel.textContent = self.t("input_label");
    self.input.setAttribute("placeholder", self.t("input_placeholder"));
    self.input.setAttribute("maxlength", String(payload ? payload.max_message_length : 1000));
    self.sendText.textContent = self.t("send");
    self.sendButton.setAttribute("title", self.t("send"));
    self.disclaimer.textContent = self.t("disclaimer");
  };

  Widget.prototype.formatTime = function (iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    var payload = this.strings[this.lang];
    var locale = payload ? payload.locale : (this.lang === "fr" ? "fr-BE" : "nl-BE");
    var today = new Date();
    var options = {hour: "2-digit", minute: "2-digit"};
    if (date.toDateString() !== today.toDateString()) {
      options.day = "numeric";
      options.month = "short";
      if (date.getFullYear() !== today.getFullYear()) options.year = "numeric";
    }
    return new Intl.DateTimeFormat(locale, options).format(date);
  };

  Widget.prototype.sourceLabel = function (source) {
    if (!source || source.kind === "fallback" || !source.id) return null;
    if (source.kind === "faq") return this.t("source_faq", {id: source.id});
    if (source.kind === "article") return this.t("source_article", {id: source.id});
    if (source.kind === "definition") {
      var term = source.term && (source.term[this.lang] || source.term.nl) || source.id;
      return this.t("source_definition", {term: term});
    }
    return null;
  };

  Widget.prototype.sourceNode = function (source) {
    var label = this.sourceLabel(source);
    if (!label) return null;
    var path = source.url || ("knowledge/" + encodeURIComponent(source.kind) + "/" + encodeURIComponent(source.id));
    var href = this.url(path.replace(/^\//, "")) + "?lang=" + this.lang;
    var link = el("a", {href: href, target: "_blank", rel: "noopener"}, [label]);
    link.appendChild(el("span", {"class": "gic-sr", text: " " + this.t("opens_new_tab")}));
    return el("p", {"class": "gic-source"}, [link]);
  };

  Widget.prototype.messageNode = function (message, showButtons, showUpload) {
    var self = this;
    var isUser = message.role === "user";
    var bubble = el("div", {"class": "gic-bubble"}, [
      el("span", {"class": "gic-sr", text: (isUser ? self.t("you") : self.t("assistant")) + ": "})
    ]);
    textNodes(message.text, self.t("opens_new_tab")).forEach(function (node) { bubble.appendChild(node); });
    var item = el("li", {"class": "gic-msg " + (isUser ? "gic-msg--user" : "gic-msg--bot")}, [bubble]);
    if (!isUser) {
      var source = self.sourceNode(message.source);
      if (source) item.appendChild(source);
    }
    if (showButtons && message.buttons && message.buttons.length) {
      item.appendChild(self.buttonsNode(message.buttons));
    }
    if (!isUser && showUpload && message.upload) {
      var form = self.uploadNode(message);
      if (form) item.appendChild(form);
    }
    if (!isUser && message.loginUrl) {
      var href = new URL(message.loginUrl, self.base);
      if (href.origin === new URL(self.base).origin) {  // only ever our own login page
        item.appendChild(el("div", {"class": "gic-buttons"}, [
          el("a", {"class": "gic-quick-reply gic-login", href: href.href, text: self.t("log_in")})
        ]));
      }
    }
    var time = self.formatTime(message.time);
    if (time) item.appendChild(el("time", {"class": "gic-time", datetime: message.time, text: time}));
    return item;
  };

  // A document's name in the widget's language (from the catalogs), else as the API worded it.
  Widget.prototype.documentLabel = function (kind) {
    var payload = this.strings[this.lang];
    var label = payload && payload.strings["document_" + kind.kind];
    return label || kind.label;
  };

  Widget.prototype.uploadNode = function (message) {
    var self = this;
    var upload = message.upload;
    if (!upload || !upload.kinds || !upload.kinds.length) return null;
    var key = self.lang + "|" + upload.kinds.map(function (k) { return k.kind; }).join(",");
    var cached = self.uploadForms && self.uploadForms.get(message);
    if (cached && cached.key === key) {
      // The same form again (another render): the file already chosen stays chosen.
      self.showUploadError(cached.form, self.uploadErrorFor(message));
      return cached.form;
    }
    var n = ++uploadFormCount;
    var ids = {kind: "gic-upload-kind-" + n, file: "gic-upload-file-" + n, hint: "gic-upload-hint-" + n,
               error: "gic-upload-error-" + n};
    var select = el("select", {id: ids.kind, "class": "gic-upload-select", name: "kind"},
      upload.kinds.map(function (k) { return el("option", {value: k.kind, text: self.documentLabel(k)}); }));
    var file = el("input", {
      id: ids.file, "class": "gic-upload-file", type: "file", name: "file", accept: UPLOAD_ACCEPT,
      "aria-describedby": ids.hint + " " + ids.error
    });
    var button = el("button", {type: "submit", "class": "gic-upload-button", text: self.t("upload_button")});
    var error = el("p", {id: ids.error, "class": "gic-upload-error", role: "alert"});
    var form = el("form", {
      "class": "gic-upload", novalidate: true,
      "aria-label": self.t("upload_form", {reference: upload.reference || ""}),
      onsubmit: function (event) { event.preventDefault(); self.upload(message, form); }
    }, [
      el("div", {"class": "gic-upload-field"}, [
        el("label", {"for": ids.kind, text: self.t("upload_document")}), select
      ]),
      el("div", {"class": "gic-upload-field"}, [
        el("label", {"for": ids.file, text: self.t("upload_file")}), file,
        el("p", {id: ids.hint, "class": "gic-upload-hint", text: self.t("upload_hint")})
      ]),
      el("div", {"class": "gic-upload-actions"}, [button]),
      error
    ]);
    form.parts = {select: select, file: file, button: button, error: error};
    self.showUploadError(form, self.uploadErrorFor(message));
    if (self.uploadForms) self.uploadForms.set(message, {key: key, form: form});
    return form;
  };

  Widget.prototype.uploadErrorFor = function (message) {
    var e = this.uploadError;
    // The API's message is in the language of the request: after a change of language it goes.
    return e && e.message === message && e.conversationId === this.conversation.id && e.lang === this.lang ? e.text : "";
  };

  Widget.prototype.showUploadError = function (form, text) {
    form.parts.error.textContent = text || "";
    if (text) form.parts.file.setAttribute("aria-invalid", "true");
    else form.parts.file.removeAttribute("aria-invalid");
  };

  Widget.prototype.upload = function (message, form) {
    var self = this;
    var parts = form.parts;
    if (form.busy) return;
    var conversationId = self.conversation.id;
    var lang = self.lang;
    var chosen = parts.file.files && parts.file.files[0];
    var fail = function (text) {
      self.uploadError = {conversationId: conversationId, message: message, text: text, lang: lang};
      if (conversationId === self.conversation.id) self.showUploadError(form, text);
    };
    if (!chosen) {
      fail(self.t("upload_choose_file"));
      parts.file.focus();
      return;
    }
    var target = new URL(message.upload.url, self.base);
    if (target.origin !== new URL(self.base).origin) return; // only ever our own API
    target.searchParams.set("lang", lang);
    var body = new FormData();
    body.append("kind", parts.select.value);
    body.append("lang", lang);
    body.append("file", chosen, chosen.name);

    form.busy = true;
    form.setAttribute("aria-busy", "true");
    parts.button.setAttribute("aria-disabled", "true"); // not `disabled`: the focus stays on it
    parts.button.textContent = self.t("upload_sending");
    self.uploadError = null;
    self.showUploadError(form, "");
    var done = function () {
      form.busy = false;
      form.removeAttribute("aria-busy");
      parts.button.removeAttribute("aria-disabled");
      parts.button.textContent = self.t("upload_button");
    };
    window.fetch(target.href, {
      method: "POST",
      body: body,
      credentials: "include",
      headers: {"X-Requested-With": UPLOAD_HEADER, "Accept": "application/json"}
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (reply) {
        return {response: response, body: reply};
      });
    }).then(function (result) {
      done();
      var reply = result.body;
      if (result.response.status === 201 && reply && reply.document && Array.isArray(reply.missing)) {
        self.uploaded(conversationId, message, reply);
        return;
      }
      var detail = reply && reply.error;
      fail(detail && typeof detail.message === "string" ? detail.message : self.t("upload_failed"));
    }, function () {
      done();
      fail(self.t("upload_failed"));
    });
  };

  // A document was received: a line in the conversation, and only the documents still missing in the form.
  Widget.prototype.uploaded = function (conversationId, message, reply) {
    var self = this;
    var missing = reply.missing.map(function (m) { return m && m.kind; });
    message.upload.kinds = message.upload.kinds.filter(function (k) { return missing.indexOf(k.kind) >= 0; });
    var label = typeof reply.document.label === "string" ? reply.document.label : reply.document.kind;
    var line = {role: "bot", text: self.t("upload_done", {label: label}), time: new Date().toISOString()};
    self.uploadError = null;
    self.addMessages(conversationId, [line]);
    if (conversationId !== self.conversation.id) return;
    self.renderMessages();
    self.scrollTo(self.list.children[self.conversation.messages.length - 1]);
    var form = self.list.querySelector(".gic-upload");
    if (form && form.parts) form.parts.select.focus();
    else self.input.focus();
    self.announce(line.text);
  };

  Widget.prototype.buttonsNode = function (buttons) {
    var self = this;
    return el("div", {"class": "gic-buttons", role: "group", "aria-label": self.t("suggestions")},
      buttons.map(function (button) {
        return el("button", {
          type: "button", "class": "gic-quick-reply",
          onclick: function () {
            if (typeof button.rating === "number") self.rate(button.rating);
            else self.send(button.title, button.payload);
            self.input.focus();
          }
        }, [button.title]);
      }));
  };

  // ---- a colleague has the conversation: their replies arrive by polling ------------------------

  var POLL_MS = 3000;

  Widget.prototype.watchHandoff = function (conversationId, state) {
    var conversation = conversationId === this.conversation.id ? this.conversation : this.loadConversation(conversationId);
    var previous = conversation.handoff || {};
    conversation.handoff = {after: typeof state.after === "number" ? state.after : (previous.after || 0)};
    this.saveConversation(conversation);
    if (!this.pollTimer) this.schedulePoll();
  };

  Widget.prototype.schedulePoll = function () {
    var self = this;
    self.pollTimer = window.setTimeout(function () { self.pollTimer = null; self.poll(); }, POLL_MS);
  };

  Widget.prototype.poll = function () {
    var self = this;
    var conversation = self.conversation;
    if (!conversation.handoff) return;
    var url = self.url("api/chat/" + encodeURIComponent(conversation.id) + "/messages?after=" +
      encodeURIComponent(conversation.handoff.after || 0) + "&lang=" + self.lang);
    window.fetch(url, {credentials: "include", headers: {"Accept": "application/json"}}).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (!body || conversation !== self.conversation) return;
      var now = new Date().toISOString();
      var lines = (body.messages || []).filter(function (m) { return m && typeof m.text === "string"; }).map(function (m) {
        return {role: "bot", text: m.text, time: now, staff: m.author === "staff"};
      });
      if (typeof body.last_id === "number") conversation.handoff.after = body.last_id;
      if (body.state === "closed" && body.rating == null && lines.length) {
        lines[lines.length - 1].buttons = [1, 2, 3, 4, 5].map(function (n) { return {title: String(n), rating: n, payload: ""}; });
      }
      if (body.state !== "waiting" && body.state !== "assigned") delete conversation.handoff;
      if (lines.length) Array.prototype.push.apply(conversation.messages, lines);
      self.saveConversation(conversation);
      if (lines.length) {
        self.renderMessages();
        self.scrollTo(null);
        self.announce(lines.map(function (l) { return l.text; }).join(" "));
      }
    }).catch(function () { /* offline for a moment: the next poll catches up */ }).then(function () {
      if (self.conversation.handoff && !self.pollTimer) self.schedulePoll();
    });
  };

  Widget.prototype.rate = function (score) {
    var self = this;
    var conversation = self.conversation;
    window.fetch(self.url("api/chat/" + encodeURIComponent(conversation.id) + "/rating"), {
      method: "POST", credentials: "include",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify({score: score, lang: self.lang})
    }).then(function (response) {
      conversation.messages.forEach(function (m) {
        if (m.buttons && m.buttons.some(function (b) { return typeof b.rating === "number"; })) delete m.buttons;
      });
      conversation.messages.push({role: "bot", text: self.t(response.ok ? "rating_thanks" : "error_generic"),
        time: new Date().toISOString()});
      self.saveConversation(conversation);
      self.renderMessages();
      self.scrollTo(null);
    });
  };

  Widget.prototype.welcomeNode = function () {
    var self = this;
    var examples = ["example_1", "example_2", "example_3"].map(function (key) {
      return {title: self.t(key), payload: self.t(key)};
    });
    var item = self.messageNode({role: "bot", text: self.t("welcome")}, !self.pending);
    item.classList.add("gic-msg--welcome");
    if (!self.pending) item.appendChild(self.buttonsNode(examples));
    return item;
  };

  Widget.prototype.renderMessages = function () {
    var self = this;
    var messages = self.conversation.messages;
    var lastUser = -1;
    var lastUpload = -1;
    messages.forEach(function (m, i) {
      if (m.role === "user") lastUser = i;
      if (m.role === "bot" && m.upload) lastUpload = i;
    });
    self.list.textContent = "";
    if (!messages.length) self.list.appendChild(self.welcomeNode());
    messages.forEach(function (message, i) {
      // Quick replies only for the assistant's latest turn; older ones are history. The upload form
      // only on the latest message that asked for documents.
      self.list.appendChild(self.messageNode(message, i > lastUser && !self.pending, i === lastUpload));
    });
    if (self.pending && self.pending.conversationId === self.conversation.id) {
      self.list.appendChild(el("li", {"class": "gic-msg gic-msg--bot gic-typing"}, [
        el("div", {"class": "gic-bubble"}, [
          el("span", {"class": "gic-dots", "aria-hidden": "true"}, [el("span"), el("span"), el("span")]),
          el("span", {"class": "gic-sr", text: self.t("typing")})
        ])
      ]));
    }
    if (self.error && self.error.conversationId === self.conversation.id) {
      self.list.appendChild(el("li", {"class": "gic-msg gic-msg--error"}, [
        el("div", {"class": "gic-bubble"}, [el("p", {text: self.error.message})]),
        self.error.retry ? el("button", {
          type: "button", "class": "gic-retry", onclick: function () { self.retry(); }
        }, [self.t("retry")]) : null
      ]));
    }
  };

  Widget.prototype.scrollTo = function (node) {
    if (!node) { this.log.scrollTop = this.log.scrollHeight; return; }
    // Long answers: show where the answer starts, not its end.
    this.log.scrollTop = Math.max(0, node.offsetTop - this.log.offsetTop - 8);
  };

  Widget.prototype.announce = function (text) {
    var announcer = this.announcer;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 60);
  };

  // ---- behaviour ------------------------------------------------------------------------------

  Widget.prototype.open = function (options) {
    if (!this.ready) { this.wantOpen = true; return; }
    this.panel.setAttribute("aria-modal", this.fullScreen() ? "true" : "false");
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    session.set("open", true);
    this.scrollTo(null);
    if (!(options && options.noFocus)) this.input.focus();
  };

  Widget.prototype.close = function () {
    if (!this.ready) { this.wantOpen = false; return; }
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    session.set("open", false);
    this.launcher.focus();
  };

  Widget.prototype.setLanguage = function (lang) {
    var self = this;
    var code = normalizeLang(lang);
    if (!code) return Promise.reject(new Error("unsupported language: " + lang));
    local.set("lang", code); // the choice is kept, even before the strings have arrived
    if (!self.ready) { self.lang = code; return Promise.resolve(code); }
    return self.loadStrings(code).then(function () {
      var changed = code !== self.lang;
      self.lang = code;
      self.renderChrome();
      self.renderMessages();
      if (changed) self.announce(self.t("language_changed"));
      window.dispatchEvent(new CustomEvent("groupinsurancechat:language", {detail: {lang: code}}));
      return code;
    });
  };

  // Another login (or a logout) on this browser: the conversation and every stored history belong to
  // the previous person, so they go, and a new conversation starts.
  Widget.prototype.checkLogin = function () {
    var self = this;
    return window.fetch(self.url("api/session"), {credentials: "include"}).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (state) {
      if (!state) return;
      var current = state.login_id || null;
      var seen = local.get("login");
      if (seen === null && current === null) return;
      if (seen !== current) {
        self.forgetConversations();
        local.set("login", current);
      }
    }, function () { /* offline: keep what is there */ });
  };

  Widget.prototype.forgetConversations = function () {
    var keys = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(PREFIX + "conversation:") === 0) keys.push(key);
      }
      keys.forEach(function (key) { window.localStorage.removeItem(key); });
    } catch (e) { /* storage disabled */ }
    this.conversation = {id: randomId(), messages: []};
    local.set("current", this.conversation.id);
  };

  Widget.prototype.newConversation = function () {
    var previous = this.conversation.id;
    this.conversation = {id: randomId(), messages: []};
    local.set("current", this.conversation.id);
    local.remove("conversation:" + previous);
    this.error = null;
    this.uploadError = null;
    this.renderMessages();
    this.announce(this.t("new_conversation_started"));
    this.input.value = "";
    this.input.focus();
  };

  Widget.prototype.showInputError = function (text) {
    this.inputError.textContent = text || "";
    this.inputError.hidden = !text;
    if (text) this.input.setAttribute("aria-invalid", "true");
    else this.input.removeAttribute("aria-invalid");
  };

  Widget.prototype.submitInput = function () {
    var text = this.input.value.trim();
    if (!text || this.pending) return;
    var max = this.strings[this.lang] ? this.strings[this.lang].max_message_length : 1000;
    if (text.length > max) {
      this.showInputError(this.t("too_long", {max: max}));
      return;
    }
    this.showInputError(null);
    this.input.value = "";
    this.send(text, null);
  };

  Widget.prototype.send = function (text, payload) {
    if (this.pending) return;
    var message = {role: "user", text: text, time: new Date().toISOString()};
    if (payload && payload !== text) message.payload = payload;
    this.addMessages(this.conversation.id, [message]);
    this.request(payload || text);
  };

  Widget.prototype.retry = function () {
    if (!this.error || !this.error.retry || this.pending) return;
    var message = this.error.retry;
    this.error = null;
    this.request(message);
    this.input.focus();
  };

  Widget.prototype.request = function (message) {
    var self = this;
    var conversationId = self.conversation.id;
    var lang = self.lang;
    self.pending = {conversationId: conversationId, message: message};
    self.error = null;
    self.uploadError = null;
    self.renderMessages();
    self.scrollTo(null);
    self.announce(self.t("typing"));

    var controller = window.AbortController ? new AbortController() : null;
    var timer = window.setTimeout(function () { if (controller) controller.abort(); }, CLIENT_TIMEOUT_MS);
    window.fetch(self.url("api/chat"), {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify({conversation_id: conversationId, message: message, lang: lang}),
      // The login cookie goes along: the web app adds the person's identity for the assistant.
      credentials: "include",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        return {response: response, body: body};
      });
    }).then(function (result) {
      var body = result.body;
      if (result.response.ok && body && Array.isArray(body.messages)) {
        var now = new Date().toISOString();
        var replies = body.messages.filter(function (m) { return m && typeof m.text === "string"; }).map(function (m) {
          var reply = {role: "bot", text: m.text, time: now};
          if (Array.isArray(m.buttons) && m.buttons.length) reply.buttons = m.buttons;
          if (m.source && typeof m.source === "object") reply.source = m.source;
          if (typeof m.login_url === "string") reply.loginUrl = m.login_url;
          var upload = cleanUpload(m.upload);
          if (upload) reply.upload = upload;
          return reply;
        });
        // While a colleague has the conversation, a message gets no immediate answer: that is fine;
        // their replies come in through polling (watchHandoff).
        if (body.handoff && typeof body.handoff === "object") self.watchHandoff(conversationId, body.handoff);
        if (!replies.length && !body.handoff) {
          self.error = {conversationId: conversationId, message: self.t("no_answer"), retry: null};
        }
        return replies;
      }
      var detail = body && body.error;
      self.error = {
        conversationId: conversationId,
        message: detail && typeof detail.message === "string" ? detail.message : self.t("error_generic"),
        retry: !detail || detail.retryable !== false ? message : null
      };
      return [];
    }, function (error) {
      self.error = {
        conversationId: conversationId,
        message: error && error.name === "AbortError" ? self.t("error_timeout") : self.t("error_network"),
        retry: message
      };
      return [];
    }).then(function (replies) {
      window.clearTimeout(timer);
      self.pending = null;
      if (replies.length) self.addMessages(conversationId, replies);
      if (conversationId !== self.conversation.id) return;
      self.renderMessages();
      var firstNew = self.list.children[self.conversation.messages.length - replies.length];
      self.scrollTo(replies.length ? firstNew : null);
      if (replies.length) {
        var spoken = replies.map(function (r) {
          var label = self.sourceLabel(r.source);
          return r.text + (label ? " " + label : "");
        }).join(" ");
        self.announce(self.t("assistant") + ": " + spoken);
      } else if (self.error) {
        self.announce(self.error.message);
      }
    });
  };

  Widget.prototype.onStorage = function (event) {
    if (!event.key || event.key.indexOf(PREFIX) !== 0 || this.pending) return;
    var key = event.key.slice(PREFIX.length);
    if (key === "current" || key === "conversation:" + this.conversation.id) {
      // Another tab changed the conversation: show the same one here.
      this.conversation = this.loadConversation(local.get("current"));
      this.error = null;
      this.renderMessages();
      this.scrollTo(null);
    } else if (key === "lang") {
      var lang = normalizeLang(local.get("lang"));
      if (lang && lang !== this.lang) this.setLanguage(lang);
    }
  };

  Widget.prototype.start = function () {
    var self = this;
    return Promise.all([self.loadStrings(self.lang), self.checkLogin()]).then(function () {
      self.build();
      self.renderChrome();
      self.renderMessages();
      self.ready = true;
      if (self.conversation.handoff) self.schedulePoll();  // a colleague may have answered meanwhile
      var reopen = session.get("open");
      if (self.wantOpen) self.open();
      else if (reopen === true || (reopen === null && self.options.startOpen)) self.open({noFocus: true});
      // The other language's strings, so that switching is instant.
      LANGS.forEach(function (code) { if (code !== self.lang) self.loadStrings(code).catch(function () {}); });
      return self;
    });
  };

  // ---- public API -----------------------------------------------------------------------------

  function defaultBase() {
    if (SCRIPT && SCRIPT.src) return new URL("../", SCRIPT.src).href; // .../static/widget.js -> .../
    return window.location.origin + "/";
  }

  var readyPromise = null;

  var api = {
    init: function (options) {
      if (widget) return readyPromise;
      options = options || {};
      var base = options.apiBase ? String(options.apiBase) : defaultBase();
      if (base.slice(-1) !== "/") base += "/";
      widget = new Widget({
        lang: options.lang, title: options.title, startOpen: !!options.startOpen,
        apiBase: new URL(base, window.location.href).href
      });
      readyPromise = new Promise(function (resolve, reject) {
        var start = function () { widget.start().then(resolve, reject); };
        if (document.body) start();
        else document.addEventListener("DOMContentLoaded", start);
      });
      readyPromise.catch(function (error) {
        if (window.console) window.console.warn("GroupInsuranceChat: could not start", error);
      });
      return readyPromise;
    },
    open: function () { if (widget) widget.open(); },
    close: function () { if (widget) widget.close(); },
    setLanguage: function (lang) {
      if (!widget) {
        var code = normalizeLang(lang);
        if (code) local.set("lang", code);
        return Promise.resolve(code);
      }
      return widget.setLanguage(lang);
    },
    newConversation: function () { if (widget && widget.ready) widget.newConversation(); },
    get language() { return widget ? widget.lang : normalizeLang(local.get("lang")); }
  };

  window.GroupInsuranceChat = api;

  if (SCRIPT && SCRIPT.hasAttribute("data-init")) {
    api.init({
      lang: SCRIPT.getAttribute("data-lang"),
      title: SCRIPT.getAttribute("data-title"),
      startOpen: SCRIPT.getAttribute("data-start-open") === "true",
      apiBase: SCRIPT.getAttribute("data-api-base")
    });
  }
})(window, document);
