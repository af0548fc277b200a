// Node side of the SSR test (bundled by server.mjs): the page as a string, with react-dom/server.
import { renderToString } from 'react-dom/server';
import { Page, type PageProps } from './app.js';

export const render = (props: Pick<PageProps, 'variant' | 'apiBase' | 'providerId' | 'doctorId'>) =>
  renderToString(<Page {...props} />);
