import { mount } from 'svelte';
import '../lib/base.css';
import KioskApp from './KioskApp.svelte';

// Desk codes are case-insensitive; the tablet keeps its key under the code as the server writes it.
const deskCode = decodeURIComponent(location.pathname.split('/')[2] ?? '').toLowerCase();

// The pairing link carries the device key in the fragment (never sent to a server);
// it is kept on the device and removed from the address bar at once.
const pairingKey = new URLSearchParams(location.hash.slice(1)).get('key') ?? undefined;
if (pairingKey) history.replaceState(null, '', location.pathname);

mount(KioskApp, { target: document.getElementById('app')!, props: { deskCode, pairingKey } });
