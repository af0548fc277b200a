// The default theme, plus the components the pages use: the element reference (from the
// Custom Elements Manifest), the SRI snippet and the playground.
import DefaultTheme from 'vitepress/theme';
import ElementReference from './ElementReference.vue';
import SriSnippet from './SriSnippet.vue';
import Playground from './Playground.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('ElementReference', ElementReference);
    app.component('SriSnippet', SriSnippet);
    app.component('Playground', Playground);
  },
};
