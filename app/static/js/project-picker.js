/* Pickers of the contribution form: suggestions as you type (ARIA 1.2 combobox with a listbox), ticking a
   checkbox of the field they fill. Progressive enhancement: without JavaScript the search button beside the
   field posts the form back with the matches to tick. No dependencies.
   - projects: <input data-project-picker="/api/v1/projects"> (public API, no cookies), fills project_ids;
   - any other: <input data-picker="URL" data-picker-name="FIELD" data-picker-choices="CONTAINER ID"
     data-picker-credentials="same-origin">, e.g. a technology's capability gaps (/contributions/suggestions).
   The endpoint answers {"items": [{"id", "label"} or {"id", "acronym", "title"}]}. */
(function () {
  "use strict";

  function enhance(input) {
    var endpoint = input.getAttribute("data-picker") || input.getAttribute("data-project-picker");
    var fieldName = input.getAttribute("data-picker-name") || "project_ids";
    var credentials = input.getAttribute("data-picker-credentials") || "omit";
    var status = document.getElementById(input.id + "-status");
    var choices = document.getElementById(input.getAttribute("data-picker-choices") || "project-choices");
    var listbox = document.createElement("ul");
    var results = [];
    var active = -1;
    var timer = null;
    var latest = 0;

    listbox.id = input.id + "-listbox";
    listbox.className = "picker-listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent : fieldName);
    listbox.hidden = true;
    input.parentNode.insertBefore(listbox, input.nextSibling);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    function say(message) { if (status) { status.textContent = message; } }
    function label(name, values) {
      var text = input.getAttribute("data-label-" + name) || "";
      Object.keys(values || {}).forEach(function (key) { text = text.replace("{" + key + "}", values[key]); });
      return text;
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = listbox.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      for (var i = 0; i < options.length; i++) { options[i].setAttribute("aria-selected", i === active ? "true" : "false"); }
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function text(item) { return item.label || (item.acronym + " – " + item.title); }

    function render(items) {
      results = items;
      listbox.innerHTML = "";
      items.forEach(function (project, index) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = text(project);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(index); });
        listbox.appendChild(option);
      });
      listbox.hidden = !items.length;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      active = -1;
      say(items.length ? label("found", { n: items.length }) : label("none"));
    }

    function checkboxList() {
      var list = choices.querySelector("ul");
      if (list) { return list; }
      var fieldset = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = input.getAttribute("data-label-legend") || "";
      list = document.createElement("ul");
      list.className = "checkbox-list";
      list.id = fieldName;
      fieldset.appendChild(legend);
      fieldset.appendChild(list);
      var wrapper = document.createElement("div");
      wrapper.className = "field";
      wrapper.appendChild(fieldset);
      choices.appendChild(wrapper);
      return list;
    }

    function choose(index) {
      var project = results[index];
      if (!project) { return; }
      var name = text(project);
      var existing = choices.querySelector('input[name="' + fieldName + '"][value="' + project.id + '"]');
      if (existing) {
        existing.checked = true;
      } else {
        var list = checkboxList();
        var item = document.createElement("li");
        var box = document.createElement("input");
        var text = document.createElement("label");
        box.type = "checkbox";
        box.name = fieldName;
        box.value = String(project.id);
        box.id = fieldName + "-added-" + project.id;
        box.checked = true;
        text.htmlFor = box.id;
        text.textContent = name;
        item.appendChild(box);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(text);
        list.appendChild(item);
      }
      close();
      input.value = "";
      say(label("added", { name: name }));
    }

    function lookUp() {
      var words = input.value.trim();
      if (words.length < 2) { close(); return; }
      var ticket = ++latest;
      var url = endpoint + (endpoint.indexOf("?") >= 0 ? "&" : "?") + "per_page=8&q=" + encodeURIComponent(words);
      fetch(url, { headers: { Accept: "application/json" }, credentials: credentials })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (body) { if (ticket === latest) { render(body.items || []); } })
        .catch(function () { /* the button still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (listbox.hidden) { lookUp(); } else { highlight(active + 1); }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter") {
        // Never submits the form from here: Enter chooses the highlighted suggestion, or looks up now.
        event.preventDefault();
        if (active >= 0) { choose(active); } else { clearTimeout(timer); lookUp(); }
      } else if (event.key === "Escape") {
        if (!listbox.hidden) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("input[data-project-picker], input[data-picker]").forEach(enhance);
})();
