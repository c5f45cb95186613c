document.body.append("popup");
