(function(){var s=window.__STATE__||{};var r=document.getElementById('root');if(!r||!s.clinic)return;
var h='<header><b>'+s.clinic.name+'</b> '+s.clinic.phone+'</header>';
h+='<nav>'+s.clinic.nav.map(function(n){return '<a href="'+n.href+'">'+n.label+'</a>';}).join(' ')+'</nav>';
h+='<main><h1>'+(s.page.title||s.page.hero||'')+'</h1></main>';r.innerHTML=h;})();
