// The polls app's URLconf, mounted under polls/ by mysite/urls.ts.
import { path } from 'gwi';
import { detail, index } from './views.js';

export const app_name = 'polls';

export const urlpatterns = [path('', index, { name: 'index' }), path('<int:questionId>/', detail, { name: 'detail' })];
