// The URLconf (ROOT_URLCONF): each path() maps a route to a view; include() mounts the polls app.
import { include, path } from 'gwi';
import * as views from './views.js';

export const urlpatterns = [
  path('', views.home, { name: 'home' }),
  path('articles/<int:id>/', views.article, { name: 'article' }),
  path('greeting/', views.GreetingView.asView(), { name: 'greeting' }),
  path('form/', views.contactForm, { name: 'form' }),
  path('upload/', views.upload, { name: 'upload' }),
  path('stream/', views.stream, { name: 'stream' }),
  path('missing/', views.missing, { name: 'missing' }),
  path('boom/', views.boom, { name: 'boom' }),
  path('go/', views.go, { name: 'go' }),
  path('visits/', views.visits, { name: 'visits' }),
  // Loaded by name from the project root; 'polls:index' and 'polls:detail' reverse into it.
  path('polls/', include('polls/urls', 'polls')),
];

// Used when DEBUG is off; with DEBUG on, gwi shows its technical 404 page instead.
export const handler404 = views.notFound;
