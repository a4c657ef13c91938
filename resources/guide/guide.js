// Shows only the section named in the address (#chrome-windows …) and names the window after it.
(function () {
  "use strict";
  document.documentElement.classList.add("single");
  var base = document.body.getAttribute("data-title");

  function show() {
    var id = decodeURIComponent(window.location.hash.replace(/^#/, "")) || "overview";
    var target = document.getElementById(id);
    if (!target || target.tagName !== "SECTION") {
      target = document.getElementById("overview");
    }
    var sections = document.querySelectorAll("main > section");
    for (var i = 0; i < sections.length; i++) {
      sections[i].hidden = sections[i] !== target;
    }
    var links = document.querySelectorAll("nav a");
    for (var j = 0; j < links.length; j++) {
      if (links[j].getAttribute("href") === "#" + target.id) {
        links[j].setAttribute("aria-current", "true");
      } else {
        links[j].removeAttribute("aria-current");
      }
    }
    var heading = target.querySelector("h2");
    document.title = target.id === "overview" || !heading ? base : heading.textContent + " – " + base;
    if (target.id === "overview") {
      window.scrollTo(0, 0);
    } else {
      target.scrollIntoView();  // the chosen section at the top; the choice is one scroll up
    }
  }

  window.addEventListener("hashchange", show);
  window.addEventListener("load", show);  // again once the drawings are in: positions are final
  show();
})();
