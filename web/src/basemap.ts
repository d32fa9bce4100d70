// The basemap: tile URL and attribution from web/dist/config.json (an operator may point it at
// another tile server or empty it), and the user's choice to show it, kept in localStorage.
import L from 'leaflet';

export interface TileConfig {
  url: string;
  attribution: string;
  max_zoom: number;
}

const basemapKey = 'kapal.basemap';
let tileConfig: Promise<TileConfig | null> | null = null;

export function tiles(): Promise<TileConfig | null> {
  tileConfig ??= fetch('/config.json')
    .then((r) => (r.ok ? r.json() : null))
    .then((c: { tiles?: TileConfig } | null) => (c?.tiles?.url ? c.tiles : null))
    .catch(() => null);
  return tileConfig;
}

export function basemapWanted(): boolean {
  try {
    return localStorage.getItem(basemapKey) !== 'off';
  } catch {
    return true;
  }
}

export function rememberBasemap(on: boolean): void {
  try {
    localStorage.setItem(basemapKey, on ? 'on' : 'off');
  } catch {
    // Private mode: not remembered.
  }
}

/// A tile layer for `map` when a tile server is configured and the user wants tiles.
export async function basemapLayer(maxZoom: number): Promise<L.TileLayer | null> {
  const config = await tiles();
  if (!config || !basemapWanted()) {
    return null;
  }
  return L.tileLayer(config.url, {
    attribution: config.attribution,
    maxZoom: Math.min(config.max_zoom || maxZoom, maxZoom),
  });
}

/// Removes a Leaflet map. Leaflet 1.9 ends a zoom animation from a timer even after remove(),
/// and then moves the removed panes (a TypeError on '_leaflet_pos'): a map left mid-zoom or
/// mid-pan (a click that navigates away) must not finish it.
export function removeMap(map: L.Map): void {
  (map as unknown as { _animatingZoom: boolean })._animatingZoom = false;
  // A pan animation (setView, fitBounds) runs on animation frames: stop it too.
  map.stop();
  map.off();
  map.remove();
  // A zoom started just before (setView, fitBounds) is begun on the next animation frame and
  // ended by a timer, both after remove(): make the steps that touch the panes do nothing.
  const late = map as unknown as Record<string, unknown>;
  for (const step of ['_moveStart', '_animateZoom', '_onZoomTransitionEnd', '_move', '_moveEnd']) {
    late[step] = () => map;
  }
  // Any other late step reads or moves the map pane, which remove() deleted (the '_leaflet_pos'
  // TypeError, seen once more in CI when Dasbor was opened while Peta was still fitting its
  // areas): give it a detached pane of its own to move, which nothing shows.
  late._mapPane = document.createElement('div');
}
