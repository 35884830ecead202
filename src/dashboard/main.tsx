/** The dashboard's entry point: mounts the page. */
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './app.css';

createRoot(document.getElementById('root')!).render(<App />);
