/**
 * Calls `onChange` after each batch of changes to the page's DOM (elements added or removed anywhere
 * in <body>): how the in-page keepers notice that Bitbucket drew a part of the page again (or for the
 * first time, after the content script ran) and put their controls back where they belong.
 * Returns the function that stops watching; a document without a body is not watched.
 */
export function watchPageDom(doc: Document, onChange: () => void): () => void {
  const { body, defaultView: View } = doc;
  if (!body || !View?.MutationObserver) return () => {};
  const observer = new View.MutationObserver(onChange);
  observer.observe(body, { childList: true, subtree: true });
  return () => observer.disconnect();
}
