/** A button for what cannot be undone (cancel, delete): the first click asks, the second acts. */
import { useState, type MouseEvent } from 'react';

export function ConfirmButton({ label, onConfirm }: { label: string; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  // Inside a clickable row (a zone): the click is the button's alone.
  const click = (then: () => void) => (e: MouseEvent) => (e.stopPropagation(), then());
  return asking ? (
    <>
      <button className="danger" onClick={click(() => (setAsking(false), onConfirm()))}>
        Confirm {label.toLowerCase()}
      </button>
      <button onClick={click(() => setAsking(false))}>Keep</button>
    </>
  ) : (
    <button onClick={click(() => setAsking(true))}>{label}</button>
  );
}
