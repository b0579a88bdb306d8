// The polls app's views: a list and a detail page over a few questions kept in memory.
import { escape, type GwiRequest, Http404, HttpResponse, reverse } from 'gwi';
import { page } from '../mysite/html.js';

interface Question {
  id: number;
  text: string;
}

const QUESTIONS: readonly Question[] = [
  { id: 1, text: "What's new?" },
  { id: 2, text: 'Tabs or spaces?' },
];

export function index(_request: GwiRequest): HttpResponse {
  const items = QUESTIONS.map(
    (q) => `<li><a href="${escape(reverse('polls:detail', { kwargs: { questionId: q.id } }))}">${escape(q.text)}</a></li>`,
  );
  return new HttpResponse(page('Polls', `<h1>Polls</h1>\n<ul>\n${items.join('\n')}\n</ul>`));
}

export function detail(_request: GwiRequest, kwargs: Record<string, unknown>): HttpResponse {
  // <int:questionId> gives a number.
  const question = QUESTIONS.find((q) => q.id === kwargs.questionId);
  if (!question) throw new Http404('No question matches the given query.');
  return new HttpResponse(page(question.text, `<h1>${escape(question.text)}</h1>\n<p><a href="${escape(reverse('polls:index'))}">All polls</a></p>`));
}
