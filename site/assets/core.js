/* core.js: what every page needs. The colour-scheme toggle, the language switch that keeps
   the query and anchor, progress (known / review again / bookmarked) kept in localStorage,
   the buttons that set it on question pages, and opening a <details> the URL points into.
   Exposes window.StudySite for tools.js and the tests. No network requests. */
(function () {
  "use strict";

  var root = document.documentElement;
  var PROGRESS_KEY = "studysite.progress";
  var THEME_KEY = "studysite.theme";
  var FORMAT = "studysite-progress";

  /* ---- UI strings (from the page's #ui-strings JSON) ---- */
  var strings = {};
  try {
    var node = document.getElementById("ui-strings");
    if (node) strings = JSON.parse(node.textContent);
  } catch (e) {
    strings = {};
  }
  function t(key, values) {
    var text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    if (values) {
      text = text.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : m;
      });
    }
    return text;
  }

  /* ---- storage that never throws (private modes, disabled storage) ---- */
  function readStorage(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }
  function writeStorage(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
      return true;
    } catch (e) {
      return false;
    }
  }

  /* ---- progress: {id: {state: "known"|"review"|undefined, bookmarked: bool, updated}} ---- */
  var listeners = [];

  function cleanEntry(entry) {
    if (!entry || typeof entry !== "object") return null;
    var out = {};
    if (entry.state === "known" || entry.state === "review") out.state = entry.state;
    if (entry.bookmarked === true) out.bookmarked = true;
    if (!out.state && !out.bookmarked) return null;
    out.updated = typeof entry.updated === "string" ? entry.updated : new Date().toISOString();
    return out;
  }

  function loadProgress() {
    var raw = readStorage(PROGRESS_KEY);
    if (!raw) return {};
    try {
      var data = JSON.parse(raw);
      var questions = data && data.questions;
      var out = {};
      if (questions && typeof questions === "object") {
        Object.keys(questions).forEach(function (id) {
          var entry = cleanEntry(questions[id]);
          if (entry) out[id] = entry;
        });
      }
      return out;
    } catch (e) {
      return {};
    }
  }

  function saveProgress(questions) {
    writeStorage(PROGRESS_KEY, JSON.stringify({ format: FORMAT, version: 1, questions: questions }));
    listeners.forEach(function (fn) {
      fn(questions);
    });
  }

  var progress = {
    all: loadProgress,
    get: function (id) {
      return loadProgress()[id] || {};
    },
    update: function (id, change) {
      var all = loadProgress();
      var entry = Object.assign({}, all[id] || {}, change, { updated: new Date().toISOString() });
      var cleaned = cleanEntry(entry);
      if (cleaned) all[id] = cleaned;
      else delete all[id];
      saveProgress(all);
      return cleaned || {};
    },
    /* known <-> review are exclusive; pressing the active one clears it */
    toggleState: function (id, state) {
      var current = progress.get(id).state;
      return progress.update(id, { state: current === state ? undefined : state });
    },
    toggleBookmark: function (id) {
      return progress.update(id, { bookmarked: !progress.get(id).bookmarked });
    },
    exportData: function () {
      return { format: FORMAT, version: 1, exported: new Date().toISOString(), questions: loadProgress() };
    },
    /* merges the file's entries over the stored ones; returns how many it took */
    importData: function (data) {
      if (!data || data.format !== FORMAT || data.version !== 1 || typeof data.questions !== "object" || !data.questions) {
        throw new Error("not a progress file (expected format " + FORMAT + ", version 1)");
      }
      var all = loadProgress();
      var count = 0;
      Object.keys(data.questions).forEach(function (id) {
        var entry = cleanEntry(data.questions[id]);
        if (entry) {
          all[id] = entry;
          count += 1;
        }
      });
      saveProgress(all);
      return count;
    },
    clear: function () {
      writeStorage(PROGRESS_KEY, null);
      listeners.forEach(function (fn) {
        fn({});
      });
    },
    onChange: function (fn) {
      listeners.push(fn);
    },
  };

  /* another tab changed progress: refresh what this page shows */
  window.addEventListener("storage", function (event) {
    if (event.key === PROGRESS_KEY) {
      var all = loadProgress();
      listeners.forEach(function (fn) {
        fn(all);
      });
    }
  });

  /* ---- progress buttons on a question page ---- */
  function initProgressControls() {
    var groups = document.querySelectorAll("[data-progress-for]");
    Array.prototype.forEach.call(groups, function (group) {
      var id = group.getAttribute("data-progress-for");
      function show() {
        var entry = progress.get(id);
        Array.prototype.forEach.call(group.querySelectorAll("[data-set-state]"), function (button) {
          button.setAttribute("aria-pressed", String(entry.state === button.getAttribute("data-set-state")));
        });
        var bookmark = group.querySelector("[data-toggle-bookmark]");
        if (bookmark) bookmark.setAttribute("aria-pressed", String(!!entry.bookmarked));
      }
      group.addEventListener("click", function (event) {
        var button = event.target.closest("button");
        if (!button) return;
        if (button.hasAttribute("data-set-state")) progress.toggleState(id, button.getAttribute("data-set-state"));
        else if (button.hasAttribute("data-toggle-bookmark")) progress.toggleBookmark(id);
      });
      progress.onChange(show);
      show();
    });
  }

  /* ---- colour scheme: auto (system) -> dark -> light -> auto ---- */
  function currentTheme() {
    var saved = readStorage(THEME_KEY);
    return saved === "light" || saved === "dark" ? saved : "auto";
  }
  function applyTheme(theme) {
    if (theme === "auto") root.removeAttribute("data-theme");
    else root.setAttribute("data-theme", theme);
    Array.prototype.forEach.call(document.querySelectorAll("[data-theme-toggle]"), function (button) {
      var label = button.getAttribute("data-label-" + theme) || theme;
      var text = button.querySelector(".theme-label");
      if (text) text.textContent = label;
      button.setAttribute("data-current", theme);
    });
  }
  function initTheme() {
    applyTheme(currentTheme());
    Array.prototype.forEach.call(document.querySelectorAll("[data-theme-toggle]"), function (button) {
      button.addEventListener("click", function () {
        var next = { auto: "dark", dark: "light", light: "auto" }[currentTheme()];
        writeStorage(THEME_KEY, next === "auto" ? null : next);
        applyTheme(next);
      });
    });
  }

  /* ---- the language switch keeps ?filters and #anchor ---- */
  function initLanguageSwitch() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-keep-query]"), function (link) {
      var base = link.getAttribute("href").split(/[?#]/)[0];
      function update() {
        link.setAttribute("href", base + window.location.search + window.location.hash);
      }
      update();
      window.addEventListener("hashchange", update);
      link.addEventListener("click", update);
    });
  }

  /* ---- open the <details> that the URL's #anchor names or lies in ---- */
  function openTarget() {
    if (!window.location.hash) return;
    var target = null;
    try {
      target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    } catch (e) {
      target = null;
    }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
  }

  function rootUrl(path) {
    return (root.getAttribute("data-root") || "") + path;
  }

  window.StudySite = {
    t: t,
    lang: root.getAttribute("data-lang") || "zh",
    rootUrl: rootUrl,
    progress: progress,
    applyTheme: applyTheme,
  };

  initTheme();
  initLanguageSwitch();
  initProgressControls();
  openTarget();
  window.addEventListener("hashchange", openTarget);
})();
