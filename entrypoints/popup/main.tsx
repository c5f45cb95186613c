document.body.append('popup');
