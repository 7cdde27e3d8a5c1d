/* tools.js: the pages that work over the question index. Filters, the offline title search
   and Pagefind, flashcards, the progress page, the home page's progress line, and the seeded
   interview-set builder. The index and the cards arrive as <script> files (data/*.js), never
   by fetch, so all of it also works from file://. Needs core.js first. */
(function () {
  "use strict";

  var S = window.StudySite;
  var t = S.t;
  var lang = S.lang;
  var store = { index: null, cards: {} };
  var loadedTopics = {};

  /* ---- data scripts push ["index", {...}] or ["cards", {...}] ---- */
  function take(item) {
    if (item[0] === "index") store.index = item[1];
    else if (item[0] === "cards") Object.assign(store.cards, item[1]);
  }
  (window.StudySiteData || []).forEach(take);
  window.StudySiteData = { push: take };

  function loadCards(topics) {
    var pending = topics.filter(function (topic) {
      return !loadedTopics[topic];
    });
    return Promise.all(
      pending.map(function (topic) {
        loadedTopics[topic] = new Promise(function (resolve, reject) {
          var script = document.createElement("script");
          script.src = S.rootUrl(lang + "/data/cards-" + encodeURIComponent(topic) + ".js");
          script.onload = resolve;
          script.onerror = function () {
            reject(new Error("cannot load cards for " + topic));
          };
          document.body.appendChild(script);
        });
        return loadedTopics[topic];
      })
    ).then(function () {
      return Promise.all(
        topics.map(function (topic) {
          return loadedTopics[topic];
        })
      );
    });
  }

  /* ---- the seeded order, identical to prep.bank.select (Python) ---- */
  function fnv1a32(text) {
    var h = 0x811c9dc5;
    var bytes = new TextEncoder().encode(text);
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  /* "007" and "7" are the same seed, as Python's int() makes them */
  function normalizeSeed(seed) {
    var text = String(seed).trim();
    if (/^[+-]?\d+$/.test(text)) {
      try {
        return BigInt(text).toString();
      } catch (e) {
        return text;
      }
    }
    return text;
  }

  function accepts(value) {
    if (value === null || value === undefined || value === "") return null;
    return Array.isArray(value) ? value : [value];
  }

  /* options: topic, difficulty, tags, types, status ("reviewed" unless null), count, seed */
  function selectQuestions(questions, options) {
    options = options || {};
    var seed = normalizeSeed(options.seed === undefined ? 0 : options.seed);
    var wanted = {
      topic: accepts(options.topic),
      difficulty: accepts(options.difficulty),
      type: accepts(options.types),
      status: options.status === null ? null : accepts(options.status === undefined ? "reviewed" : options.status),
    };
    var tags = accepts(options.tags);
    var chosen = questions.filter(function (q) {
      for (var key in wanted) {
        if (wanted[key] && wanted[key].indexOf(q[key]) < 0) return false;
      }
      return !tags || (q.tags || []).some(function (tag) {
        return tags.indexOf(tag) >= 0;
      });
    });
    var keyed = chosen.map(function (q) {
      return { h: fnv1a32(seed + ":" + q.id), q: q };
    });
    keyed.sort(function (a, b) {
      if (a.h !== b.h) return a.h - b.h;
      return a.q.id < b.q.id ? -1 : a.q.id > b.q.id ? 1 : 0;
    });
    var ordered = keyed.map(function (k) {
      return k.q;
    });
    var count = options.count === undefined || options.count === null ? ordered.length : options.count;
    return ordered.slice(0, Math.max(0, count));
  }

  /* ---- small DOM helpers ---- */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "html") node.innerHTML = attrs[name];
      else if (attrs[name] !== null && attrs[name] !== undefined) node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function all(selector, scope) {
    return Array.prototype.slice.call((scope || document).querySelectorAll(selector));
  }
  function questionUrl(id) {
    return S.rootUrl(lang + "/q/" + encodeURIComponent(id) + ".html");
  }
  function setQuery(params) {
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    try {
      window.history.replaceState(null, "", url);
    } catch (e) {
      /* some file:// contexts refuse; the page still works, only the URL does not update */
    }
    /* the language switch carries the new query along */
    all("[data-keep-query]").forEach(function (link) {
      var base = link.getAttribute("href").split(/[?#]/)[0];
      link.setAttribute("href", base + (query ? "?" + query : "") + window.location.hash);
    });
  }

  function badge(cls, text) {
    return el("span", { class: "badge " + cls, text: text });
  }

  function questionCard(q, states) {
    var entry = states[q.id] || {};
    var meta = el("span", { class: "card-meta" }, [
      badge("difficulty-" + q.difficulty, store.index.difficulties[q.difficulty] || q.difficulty),
      badge("qtype", store.index.types[q.type] || q.type),
      q.status === "draft" ? badge("draft", t("question.draft")) : null,
      q.missing ? badge("missing", t("question.missing_translation")) : null,
      entry.state ? badge("state", t("status." + entry.state)) : null,
      entry.bookmarked ? badge("state", "★ " + t("status.bookmarked")) : null,
    ]);
    return el("li", { class: "card", "data-id": q.id, "data-state": entry.state || null }, [
      el("a", { class: "card-link", href: questionUrl(q.id), lang: q.missing || null, text: q.title }),
      meta,
    ]);
  }

  function renderList(list, questions, countNode) {
    var states = S.progress.all();
    list.textContent = "";
    var fragment = document.createDocumentFragment();
    questions.forEach(function (q) {
      fragment.appendChild(questionCard(q, states));
    });
    list.appendChild(fragment);
    if (countNode) countNode.textContent = questions.length ? t("js.results", { count: questions.length }) : t("js.no_results");
  }

  /* ---- filters: the form's fields are the query-string keys ---- */
  var FILTER_KEYS = ["topic", "tag", "difficulty", "type", "status", "text"];

  function normalizeText(text) {
    return String(text || "").normalize("NFKC").toLowerCase();
  }

  function searchableText(q) {
    var index = store.index;
    if (!q._text) {
      q._text = normalizeText(
        [q.id, q.title, index.topics[q.topic], index.types[q.type]]
          .concat((q.tags || []).map(function (tag) {
            return tag + " " + (index.tags[tag] || "");
          }))
          .join(" ")
      );
    }
    return q._text;
  }

  function matchesText(q, text) {
    var words = normalizeText(text).split(/\s+/).filter(Boolean);
    if (!words.length) return true;
    var haystack = searchableText(q);
    return words.every(function (word) {
      return haystack.indexOf(word) >= 0;
    });
  }

  function applyFilters(filters) {
    var states = S.progress.all();
    return store.index.questions.filter(function (q) {
      if (filters.topic && q.topic !== filters.topic) return false;
      if (filters.tag && (q.tags || []).indexOf(filters.tag) < 0) return false;
      if (filters.difficulty && q.difficulty !== filters.difficulty) return false;
      if (filters.type && q.type !== filters.type) return false;
      if (filters.status) {
        var entry = states[q.id] || {};
        if (filters.status === "unseen" && (entry.state || entry.bookmarked)) return false;
        if ((filters.status === "known" || filters.status === "review") && entry.state !== filters.status) return false;
        if (filters.status === "bookmarked" && !entry.bookmarked) return false;
      }
      return !filters.text || matchesText(q, filters.text);
    });
  }

  function readForm(form) {
    var filters = {};
    FILTER_KEYS.forEach(function (key) {
      var field = form.elements.namedItem(key);
      if (field && field.value) filters[key] = field.value;
    });
    return filters;
  }

  function fillForm(form, params) {
    FILTER_KEYS.forEach(function (key) {
      var field = form.elements.namedItem(key);
      if (field && params.has(key)) field.value = params.get(key);
    });
  }

  function filtersToParams(filters) {
    var params = new URLSearchParams();
    FILTER_KEYS.forEach(function (key) {
      if (filters[key]) params.set(key, filters[key]);
    });
    return params;
  }

  /* a form of filters that calls onChange(filters) now and after every change */
  function bindFilters(form, onChange) {
    fillForm(form, new URLSearchParams(window.location.search));
    function changed() {
      var filters = readForm(form);
      setQuery(filtersToParams(filters));
      onChange(filters);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      changed();
    });
    form.addEventListener("reset", function () {
      window.setTimeout(changed, 0);
    });
    onChange(readForm(form));
  }

  /* ---- browse page ---- */
  function initBrowse() {
    var list = document.querySelector(".page-browse [data-results]");
    var form = document.querySelector(".page-browse [data-filters]");
    if (!list || !form) return;
    var count = document.querySelector("[data-result-count]");
    var flashLink = document.querySelector("[data-flashcards-link]");
    var base = flashLink ? flashLink.getAttribute("href").split("?")[0] : "";
    var current = {};
    function update(filters) {
      current = filters;
      renderList(list, applyFilters(filters), count);
      if (flashLink) {
        var params = filtersToParams(filters);
        params.delete("text");
        var query = params.toString();
        flashLink.setAttribute("href", base + (query ? "?" + query : ""));
      }
    }
    bindFilters(form, update);
    S.progress.onChange(function () {
      update(current);
    });
  }

  /* ---- search page: Pagefind over http(s), the title search otherwise ---- */
  function initSearch() {
    var page = document.querySelector("[data-search-page]");
    if (!page) return;
    var query = new URLSearchParams(window.location.search).get("q") || "";
    var fromFile = window.location.protocol === "file:";
    var built = page.getAttribute("data-pagefind") === "on";
    if (fromFile) page.querySelector("[data-note-file]").hidden = false;
    else if (!built) page.querySelector("[data-note-off]").hidden = false;
    if (fromFile || !built) {
      startFallback(page, query);
      return;
    }
    var base = page.getAttribute("data-pagefind-base");
    var css = el("link", { rel: "stylesheet", href: base + "pagefind-ui.css" });
    document.head.appendChild(css);
    var script = el("script", { src: base + "pagefind-ui.js" });
    script.onload = function () {
      var container = page.querySelector("[data-pagefind-ui]");
      container.hidden = false;
      try {
        var siteRoot = new URL(S.rootUrl(""), window.location.href).pathname;
        var ui = new window.PagefindUI({
          element: "#pagefind-search",
          showSubResults: true,
          showImages: false,
          resetStyles: false,
          baseUrl: siteRoot,
          autofocus: !query,
        });
        if (query) ui.triggerSearch(query);
      } catch (e) {
        container.hidden = true;
        page.querySelector("[data-note-failed]").hidden = false;
        startFallback(page, query);
      }
    };
    script.onerror = function () {
      page.querySelector("[data-note-failed]").hidden = false;
      startFallback(page, query);
    };
    document.body.appendChild(script);
  }

  function startFallback(page, query) {
    var box = page.querySelector("[data-fallback-search]");
    var input = box.querySelector("[data-fallback-input]");
    var list = box.querySelector("[data-results]");
    var count = box.querySelector("[data-result-count]");
    box.hidden = false;
    input.value = query;
    function update() {
      var text = input.value;
      if (!text.trim()) {
        list.textContent = "";
        count.textContent = t("js.search_empty");
        return;
      }
      renderList(list, applyFilters({ text: text }), count);
      var params = new URLSearchParams();
      params.set("q", text);
      setQuery(params);
    }
    input.addEventListener("input", update);
    update();
    input.focus();
  }

  /* ---- flashcards: walk the filtered set, reveal, mark ---- */
  function initFlashcards() {
    var section = document.querySelector("[data-flashcards]");
    var form = document.querySelector(".page-flashcards [data-filters]");
    if (!section || !form) return;
    var deck = [];
    var position = 0;
    var face = section.querySelector("[data-card-face]");
    var questionNode = section.querySelector("[data-card-question]");
    var answerNode = section.querySelector("[data-card-answer]");
    var revealButton = section.querySelector("[data-card-reveal]");
    var link = section.querySelector("[data-card-link]");
    var positionNode = section.querySelector("[data-card-position]");
    var empty = section.querySelector("[data-card-empty]");
    var controls = section.querySelector(".card-controls");
    var token = 0;

    function show() {
      var mine = ++token;
      empty.hidden = deck.length > 0;
      face.hidden = controls.hidden = deck.length === 0;
      positionNode.textContent = deck.length ? t("js.card_position", { index: position + 1, total: deck.length }) : "";
      if (!deck.length) return;
      var q = deck[position];
      link.textContent = q.id;
      link.setAttribute("href", questionUrl(q.id));
      answerNode.hidden = true;
      revealButton.hidden = false;
      questionNode.textContent = q.title;
      loadCards([q.topic]).then(function () {
        if (mine !== token) return;
        var card = store.cards[q.id] || {};
        questionNode.innerHTML = card.q || "";
        if (card.lang) questionNode.setAttribute("lang", card.lang);
        else questionNode.removeAttribute("lang");
        answerNode.innerHTML = answerHtml(card, false);
        if (card.lang) answerNode.setAttribute("lang", card.lang);
        else answerNode.removeAttribute("lang");
      });
      var entry = S.progress.get(q.id);
      all("[data-card-mark]", section).forEach(function (button) {
        button.setAttribute("aria-pressed", String(entry.state === button.getAttribute("data-card-mark")));
      });
    }
    function step(delta) {
      if (!deck.length) return;
      position = (position + delta + deck.length) % deck.length;
      show();
    }
    revealButton.addEventListener("click", function () {
      answerNode.hidden = false;
      revealButton.hidden = true;
    });
    section.querySelector("[data-card-prev]").addEventListener("click", function () {
      step(-1);
    });
    section.querySelector("[data-card-next]").addEventListener("click", function () {
      step(1);
    });
    section.querySelector("[data-card-shuffle]").addEventListener("click", function () {
      deck = selectQuestions(deck, { status: null, seed: Date.now() });
      position = 0;
      show();
    });
    all("[data-card-mark]", section).forEach(function (button) {
      button.addEventListener("click", function () {
        if (!deck.length) return;
        S.progress.update(deck[position].id, { state: button.getAttribute("data-card-mark") });
        step(1);
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.target.closest && event.target.closest("input, select, textarea, button, a")) return;
      if (event.key === "ArrowRight") step(1);
      else if (event.key === "ArrowLeft") step(-1);
      else if (event.key === " " && deck.length && answerNode.hidden) {
        event.preventDefault();
        revealButton.click();
      }
    });
    bindFilters(form, function (filters) {
      deck = applyFilters(filters);
      position = 0;
      show();
    });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function listHtml(title, items) {
    if (!items || !items.length) return "";
    return "<h3>" + escapeHtml(title) + "</h3><ul>" + items.map(function (item) {
      return "<li>" + item + "</li>";
    }).join("") + "</ul>";
  }

  /* the answer side of a card; withNotes adds what an interviewer listens for */
  function answerHtml(card, withNotes) {
    var html = "<h3>" + escapeHtml(t("question.answer")) + "</h3>";
    html += card.a || "<p>" + escapeHtml(t("question.no_answer")) + "</p>";
    if (card.e) html += "<h3>" + escapeHtml(t("question.explanation")) + "</h3>" + card.e;
    html += listHtml(t("question.key_points"), card.k);
    if (withNotes) {
      html += listHtml(t("interviewer.follow_ups"), card.f);
      html += listHtml(t("interviewer.pitfalls"), card.p);
      if (card.r && card.r.length) {
        html += "<h3>" + escapeHtml(t("interviewer.rubric")) + "</h3><table class=\"rubric\"><thead><tr><th scope=\"col\">" +
          escapeHtml(t("interviewer.score")) + "</th><th scope=\"col\">" + escapeHtml(t("interviewer.criteria")) + "</th></tr></thead><tbody>" +
          card.r.map(function (row) {
            return "<tr><th scope=\"row\">" + row[0] + "</th><td>" + row[1] + "</td></tr>";
          }).join("") + "</tbody></table>";
      }
    }
    return html;
  }

  /* ---- progress page and the home page's summary line ---- */
  function summaryText() {
    var states = S.progress.all();
    var ids = {};
    (store.index ? store.index.questions : []).forEach(function (q) {
      ids[q.id] = true;
    });
    var counts = { known: 0, review: 0, bookmarked: 0 };
    Object.keys(states).forEach(function (id) {
      if (!ids[id]) return;
      if (states[id].state) counts[states[id].state] += 1;
      if (states[id].bookmarked) counts.bookmarked += 1;
    });
    counts.total = store.index ? store.index.questions.length : 0;
    return t("js.summary", counts);
  }

  function initSummary() {
    all("[data-progress-summary]").forEach(function (node) {
      function show() {
        node.textContent = summaryText();
      }
      show();
      S.progress.onChange(show);
    });
  }

  function initProgressPage() {
    var page = document.querySelector("[data-progress-page]");
    if (!page) return;
    var message = page.querySelector("[data-progress-message]");
    function show() {
      var states = S.progress.all();
      var groups = { known: [], review: [], bookmarked: [] };
      store.index.questions.forEach(function (q) {
        var entry = states[q.id];
        if (!entry) return;
        if (entry.state) groups[entry.state].push(q);
        if (entry.bookmarked) groups.bookmarked.push(q);
      });
      Object.keys(groups).forEach(function (key) {
        var list = page.querySelector('[data-progress-list="' + key + '"]');
        renderList(list, groups[key], null);
        page.querySelector('[data-progress-count="' + key + '"]').textContent = "(" + groups[key].length + ")";
      });
    }
    page.querySelector("[data-progress-export]").addEventListener("click", function () {
      var data = S.progress.exportData();
      var blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
      var url = URL.createObjectURL(blob);
      var link = el("a", { href: url, download: "study-progress-" + data.exported.slice(0, 10) + ".json" });
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () {
        URL.revokeObjectURL(url);
      }, 1000);
      message.textContent = t("js.exported", { count: Object.keys(data.questions).length });
    });
    var input = page.querySelector("[data-progress-import]");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        try {
          var count = S.progress.importData(JSON.parse(reader.result));
          message.textContent = t("js.imported", { count: count });
        } catch (e) {
          message.textContent = t("js.import_failed", { reason: e.message });
        }
        input.value = "";
      };
      reader.onerror = function () {
        message.textContent = t("js.import_failed", { reason: String(reader.error) });
      };
      reader.readAsText(file);
    });
    page.querySelector("[data-progress-clear]").addEventListener("click", function () {
      if (window.confirm(t("js.clear_confirm"))) {
        S.progress.clear();
        message.textContent = t("js.cleared");
      }
    });
    S.progress.onChange(show);
    show();
  }

  /* ---- interview set: seeded selection, candidate sheet and answer key ---- */
  var SET_KEYS = ["topic", "difficulty", "type", "count", "seed"];

  function initInterviewSet() {
    var form = document.querySelector("[data-set-form]");
    if (!form) return;
    var sheet = document.querySelector("[data-set-sheet]");
    var key = document.querySelector("[data-set-key]");
    var summary = document.querySelector("[data-set-summary]");
    var actions = document.querySelector("[data-set-actions]");
    var notesLabel = document.getElementById("set-notes-label").innerHTML;
    var params = new URLSearchParams(window.location.search);
    SET_KEYS.forEach(function (name) {
      if (params.has(name)) form.elements.namedItem(name).value = params.get(name);
    });

    function options() {
      var count = parseInt(form.elements.namedItem("count").value, 10);
      return {
        topic: form.elements.namedItem("topic").value || null,
        difficulty: form.elements.namedItem("difficulty").value || null,
        types: form.elements.namedItem("type").value || null,
        count: isNaN(count) || count < 1 ? 1 : count,
        seed: normalizeSeed(form.elements.namedItem("seed").value || "0"),
      };
    }

    function describe(opts) {
      var index = store.index;
      var parts = [
        t("filter.topic") + ": " + (opts.topic ? index.topics[opts.topic] : t("filter.any")),
        t("filter.difficulty") + ": " + (opts.difficulty ? index.difficulties[opts.difficulty] : t("filter.any")),
        t("filter.type") + ": " + (opts.types ? index.types[opts.types] : t("filter.any")),
      ];
      return parts.join(" · ");
    }

    function build() {
      var opts = options();
      var picked = selectQuestions(store.index.questions, opts);
      var query = new URLSearchParams();
      SET_KEYS.forEach(function (name) {
        var value = form.elements.namedItem(name).value;
        if (value) query.set(name, value);
      });
      setQuery(query);
      var text = t("js.set_summary", { seed: opts.seed, count: picked.length, params: describe(opts) });
      summary.textContent = picked.length ? text : t("js.set_empty");
      all("[data-set-params]").forEach(function (node) {
        node.textContent = text;
      });
      sheet.hidden = key.hidden = actions.hidden = !picked.length;
      var topics = picked.map(function (q) {
        return q.topic;
      }).filter(function (topic, i, list) {
        return list.indexOf(topic) === i;
      });
      return loadCards(topics).then(function () {
        fill(sheet.querySelector("[data-set-list]"), picked, false);
        fill(key.querySelector("[data-set-list]"), picked, true);
        document.body.setAttribute("data-set-ready", String(picked.length));
      });
    }

    function fill(list, picked, withAnswers) {
      list.textContent = "";
      picked.forEach(function (q) {
        var card = store.cards[q.id] || {};
        var meta = q.id + " · " + (store.index.difficulties[q.difficulty] || q.difficulty) +
          (q.time ? " · " + t("question.minutes", { minutes: q.time }) : "");
        var item = el("li", { "data-id": q.id, lang: card.lang || null }, [
          el("div", { class: "set-q prose", html: card.q || escapeHtml(q.title) }),
          el("p", { class: "set-meta", text: meta }),
        ]);
        if (withAnswers) {
          var details = el("details", { class: "set-answer" }, [
            el("summary", { text: t("question.answer") }),
            el("div", { class: "prose", html: answerHtml(card, true) }),
          ]);
          item.appendChild(details);
        } else {
          item.appendChild(el("div", { class: "set-notes", html: notesLabel }));
        }
        list.appendChild(item);
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      build();
    });
    document.querySelector("[data-random-seed]").addEventListener("click", function () {
      var random = new Uint32Array(1);
      window.crypto.getRandomValues(random);
      form.elements.namedItem("seed").value = String(random[0]);
      build();
    });
    all("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        document.body.setAttribute("data-print", button.getAttribute("data-print"));
        window.print();
      });
    });
    window.addEventListener("afterprint", function () {
      document.body.removeAttribute("data-print");
    });
    if (params.has("seed")) build();
  }

  S.fnv1a32 = fnv1a32;
  S.normalizeSeed = normalizeSeed;
  S.selectQuestions = selectQuestions;
  S.data = store;
  S.loadCards = loadCards;

  if (!store.index) return;
  initSummary();
  initBrowse();
  initSearch();
  initFlashcards();
  initProgressPage();
  initInterviewSet();
})();
