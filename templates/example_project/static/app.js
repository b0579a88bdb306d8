// The example's script: on the home page, fetches the JSON view and shows what it returned.
document.addEventListener('DOMContentLoaded', async () => {
  const target = document.getElementById('json-demo');
  if (!target) return;
  try {
    const response = await fetch('/articles/42/?format=short', { headers: { Accept: 'application/json' } });
    target.textContent = `${response.status} ${response.headers.get('Content-Type')}\n\n${JSON.stringify(await response.json(), null, 2)}`;
  } catch (error) {
    target.textContent = `The request failed: ${error}`;
  }
});
