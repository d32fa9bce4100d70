// Peta: clusters of homes coloured by disability category (with a letter), the choropleth (the
// count per kelurahan, or persons per 1,000 residents per kecamatan — the finest level the
// reference data has a population for — with the figure written on each area), hazard zones,
// filters, and a summary of one person. Boundaries, clusters and zones draw without the tiles.
import L from 'leaflet';

import {
  api,
  ApiError,
  categories,
  severities,
  statuses,
  type AreaProperties,
  type Category,
  type Cluster,
  type FeatureCollection,
  type Person,
} from '../api';
import { ageYears, areaNames, nameOf } from '../areas';
import { categoryNames, describeCounts, dominant, symbol } from '../categories';
import { basemapLayer, basemapWanted, rememberBasemap, removeMap } from '../basemap';
import { onUserChange } from '../session';
import { breaks, choroplethColours, classOf, classRanges, colourIndex } from '../choropleth';
import { h, replace, select } from '../dom';
import { formatNumber, t, tCode } from '../i18n';

interface MapState {
  center?: [number, number];
  zoom?: number;
  category: string;
  severity: string;
  status: string;
  clusters: boolean;
  choropleth: boolean;
  /// What the areas are coloured by: the count per kelurahan, or per 1,000 residents.
  measure: 'count' | 'rate';
  hazards: boolean;
}

const stateKey = 'kapal.map';
// The next user of this tab starts from the whole map and the default filters.
onUserChange(() => sessionStorage.removeItem(stateKey));
/// From this zoom a cluster of one person carries its id (docs/api.md, Map layers).
const personZoom = 15;
const maxZoom = 19;

function loadState(): MapState {
  const fallback: MapState = {
    category: '',
    severity: '',
    status: 'aktif',
    clusters: true,
    choropleth: true,
    measure: 'count',
    hazards: true,
  };
  try {
    return { ...fallback, ...(JSON.parse(sessionStorage.getItem(stateKey) ?? '{}') as object) };
  } catch {
    return fallback;
  }
}

export function mapPage(root: HTMLElement): () => void {
  const state = loadState();
  const save = () => sessionStorage.setItem(stateKey, JSON.stringify(state));
  let basemapOn = basemapWanted();

  // ---- the side panel: filters, layers, legend, summary, area table
  const catSel = select(
    'map-category',
    categories.map((c) => [c, tCode('category', c)]),
    state.category,
    t('filter.all'),
  );
  const sevSel = select(
    'map-severity',
    severities.map((s) => [s, tCode('severity', s)]),
    state.severity,
    t('filter.all'),
  );
  const statusSel = select(
    'map-status',
    statuses.map((s) => [s, tCode('status', s)]),
    state.status,
    t('filter.all'),
  );
  const checkbox = (id: string, checked: boolean, label: string) => {
    const input = h('input', { type: 'checkbox', id, checked });
    return {
      input,
      row: h('div', { class: 'field checkbox' }, input, h('label', { for: id }, label)),
    };
  };
  const clustersBox = checkbox('layer-clusters', state.clusters, t('map.layer.clusters'));
  const choroplethBox = checkbox('layer-choropleth', state.choropleth, t('map.layer.choropleth'));
  const measureSel = select(
    'map-measure',
    [
      ['count', t('map.measure.count')],
      ['rate', t('map.measure.rate')],
    ],
    state.measure,
    null,
  );
  const hazardsBox = checkbox('layer-hazards', state.hazards, t('map.layer.hazards'));
  const basemapBox = checkbox('layer-basemap', basemapOn, t('map.layer.basemap'));

  const alert = h('div', { class: 'alert', role: 'alert' });
  const total = h('p', { class: 'map-total', role: 'status' });
  const summaryBody = h('div', { class: 'summary-body' }, t('map.summary.empty'));
  const choroplethLegend = h('ul', { class: 'legend-list' });
  const choroplethTitle = h('h3', null, t('map.legend.choropleth'));
  const populationNote = h('p', { class: 'hint', hidden: true }, t('map.measure.source'));
  const areaHead = h('th', { scope: 'col' }, t('filter.kelurahan'));
  const valueHead = h('th', { scope: 'col', class: 'num' }, t('map.areas.count'));
  const areaTableBody = h('tbody');
  const hazardNote = h('p', { class: 'hint', hidden: true }, t('map.hazards.none'));

  const mapEl = h('div', {
    class: 'map',
    id: 'map',
    role: 'region',
    'aria-label': t('map.region'),
  });

  const side = h(
    'div',
    { class: 'map-side' },
    h(
      'form',
      {
        class: 'panel',
        'aria-labelledby': 'map-filter-h',
        onsubmit: (e: Event) => e.preventDefault(),
      },
      h('h2', { id: 'map-filter-h' }, t('filter.heading')),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'map-category' }, t('filter.category')),
        catSel,
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'map-severity' }, t('filter.severity')),
        sevSel,
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'map-status' }, t('filter.status')),
        statusSel,
      ),
      h(
        'fieldset',
        null,
        h('legend', null, t('map.layers')),
        clustersBox.row,
        choroplethBox.row,
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'map-measure' }, t('map.measure')),
          measureSel,
        ),
        hazardsBox.row,
        basemapBox.row,
      ),
    ),
    h(
      'section',
      { class: 'panel summary', 'aria-labelledby': 'summary-h', 'aria-live': 'polite' },
      h('h2', { id: 'summary-h' }, t('map.summary.heading')),
      summaryBody,
    ),
    h(
      'section',
      { class: 'panel legend', 'aria-labelledby': 'legend-h' },
      h('h2', { id: 'legend-h' }, t('map.legend')),
      h('h3', null, t('map.legend.categories')),
      h(
        'ul',
        { class: 'legend-list' },
        categories.map((c) =>
          h(
            'li',
            null,
            h('span', { class: `swatch cluster-badge cat-${c}`, 'aria-hidden': 'true' }, symbol(c)),
            ' ',
            tCode('category', c),
          ),
        ),
      ),
      choroplethTitle,
      choroplethLegend,
      populationNote,
      h(
        'p',
        null,
        h('span', { class: 'swatch hazard-swatch', 'aria-hidden': 'true' }),
        ' ',
        t('map.legend.hazard'),
      ),
      hazardNote,
    ),
    h(
      'details',
      { class: 'panel' },
      h('summary', null, t('map.areas.heading')),
      h(
        'table',
        { class: 'area-table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            areaHead,
            valueHead,
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('map.areas.show'))),
          ),
        ),
        areaTableBody,
      ),
    ),
  );

  replace(
    root,
    h(
      'div',
      { class: 'page map-page' },
      h('h1', { class: 'visually-hidden' }, t('map.title')),
      h('div', { class: 'map-layout' }, h('div', { class: 'map-wrap' }, mapEl, total, alert), side),
    ),
  );

  // ---- the map
  // Users who asked their system for less motion get no zoom and pan animations.
  const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
  const map = L.map(mapEl, {
    maxZoom,
    minZoom: 9,
    zoomSnap: 1,
    zoomAnimation: !still,
    fadeAnimation: !still,
    markerZoomAnimation: !still,
  });
  map.attributionControl.setPrefix('Leaflet');
  // The counts written on the kelurahan sit above the areas but below the clusters.
  map.createPane('areaLabels').classList.add('area-label-pane');
  if (state.center && state.zoom) {
    map.setView(state.center, state.zoom);
  } else {
    map.setView([0.13, 117.47], 12);
  }
  let tileLayer: L.TileLayer | null = null;
  const setBasemap = async () => {
    const layer = basemapOn ? await basemapLayer(maxZoom) : null;
    tileLayer?.remove();
    tileLayer = layer;
    if (layer && !disposed) {
      layer.addTo(map);
    }
  };
  void setBasemap();

  const areasLayer = L.geoJSON(undefined, { interactive: false });
  const hazardsLayer = L.geoJSON(undefined, {
    style: {
      color: '#b00020',
      weight: 2,
      dashArray: '6 4',
      fillColor: '#b00020',
      fillOpacity: 0.08,
    },
  });
  const clustersLayer = L.layerGroup();
  let fittedOnce = Boolean(state.center);
  let clusterRequest: AbortController | null = null;
  let retryTimer = 0;
  let disposed = false;

  const filters = () => ({
    category: state.category,
    severity: state.severity,
    status: state.status,
  });
  const showError = (e: unknown) => {
    if (e instanceof DOMException && e.name === 'AbortError') {
      return;
    }
    if (e instanceof ApiError && e.status === 401) {
      return; // the app goes to the login page
    }
    alert.textContent =
      e instanceof ApiError && e.network
        ? t('app.error.network')
        : t('app.error.generic', { message: e instanceof Error ? e.message : String(e) });
  };

  /// Brings the summary into view (below the map on a phone) and moves the focus to it, so
  /// that a keyboard user continues from there (Tab reaches "Buka data lengkap").
  function reveal(): void {
    const target = summaryBody.querySelector<HTMLElement>('h3, p') ?? summaryBody;
    target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: 'nearest' });
  }

  async function showPerson(id: string): Promise<void> {
    replace(summaryBody, t('app.loading'));
    try {
      const [p, names] = await Promise.all([api.person(id), areaNames()]);
      replace(summaryBody, personSummary(p, nameOf(names.kelurahan, p.address.kelurahan_code)));
      reveal();
    } catch (e) {
      replace(summaryBody, '');
      showError(e);
    }
  }

  async function listCell(c: Cluster): Promise<void> {
    replace(summaryBody, t('app.loading'));
    try {
      const page = await api.persons({ bbox: c.bbox.join(','), limit: 100, ...filters() });
      replace(
        summaryBody,
        h('p', null, t('map.summary.list', { count: page.items.length })),
        h(
          'ul',
          { class: 'person-list' },
          page.items.map((p) =>
            h(
              'li',
              null,
              h(
                'button',
                { type: 'button', class: 'link', onclick: () => void showPerson(p.id) },
                `${p.full_name} (${categoryNames(p.categories)})`,
              ),
            ),
          ),
        ),
      );
      reveal();
    } catch (e) {
      replace(summaryBody, '');
      showError(e);
    }
  }

  function onCluster(c: Cluster): void {
    if (c.id) {
      void showPerson(c.id);
    } else if (map.getZoom() >= maxZoom - 2 || c.count === 1) {
      if (c.count === 1 && map.getZoom() < personZoom) {
        map.setView([c.lat, c.lon], personZoom);
      } else {
        void listCell(c);
      }
    } else {
      map.fitBounds([
        [c.bbox[1], c.bbox[0]],
        [c.bbox[3], c.bbox[2]],
      ]);
    }
  }

  function clusterMarker(c: Cluster): L.Marker {
    // With a category filter every person here has that category: show it, not another one
    // the same persons also have.
    const cat = (state.category as Category) || dominant(c.categories) || 'fisik';
    const size = c.count === 1 ? 'one' : c.count < 10 ? 's' : c.count < 100 ? 'm' : 'l';
    const px = { one: 24, s: 30, m: 38, l: 46 }[size];
    const el = h(
      'span',
      { class: `cluster-badge cat-${cat} size-${size}` },
      h('span', { class: 'cluster-symbol' }, symbol(cat)),
      c.count > 1 && h('span', { class: 'cluster-count' }, formatNumber(c.count)),
    );
    const described = describeCounts(c.categories);
    const title =
      c.count === 1
        ? t('map.cluster.person', { categories: described })
        : map.getZoom() >= maxZoom - 2
          ? t('map.cluster.list', { count: formatNumber(c.count) })
          : t('map.cluster.title', { count: formatNumber(c.count), categories: described });
    const marker = L.marker([c.lat, c.lon], {
      icon: L.divIcon({ html: el, className: 'cluster-icon', iconSize: [px, px] }),
      title,
      keyboard: true,
      riseOnHover: true,
    });
    marker.on('click', () => onCluster(c));
    marker.on('keydown', (e: L.LeafletKeyboardEvent) => {
      if (e.originalEvent.key === 'Enter' || e.originalEvent.key === ' ') {
        e.originalEvent.preventDefault();
        onCluster(c);
      }
    });
    return marker;
  }

  async function loadClusters(): Promise<void> {
    clusterRequest?.abort();
    window.clearTimeout(retryTimer);
    if (!state.clusters) {
      clustersLayer.clearLayers();
      total.textContent = '';
      return;
    }
    const controller = new AbortController();
    clusterRequest = controller;
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map((v) => v.toFixed(6))
      .join(',');
    try {
      const result = await api.clusters(
        { bbox, zoom: Math.round(map.getZoom()), ...filters() },
        controller.signal,
      );
      if (disposed || controller.signal.aborted) {
        return;
      }
      clustersLayer.clearLayers();
      for (const c of result.clusters) {
        clustersLayer.addLayer(clusterMarker(c));
      }
      total.textContent =
        result.total > 0 ? t('map.total', { total: formatNumber(result.total) }) : t('map.no_data');
      alert.textContent = '';
    } catch (e) {
      if (e instanceof ApiError && e.status === 503 && e.code === 'index.loading' && !disposed) {
        // The server is still loading its point index (minutes at national size): try again.
        total.textContent = t('map.index_loading');
        retryTimer = window.setTimeout(() => void loadClusters(), 2000);
        return;
      }
      showError(e);
    }
  }

  async function loadAreas(): Promise<void> {
    const rate = state.measure === 'rate';
    try {
      const fc: FeatureCollection<AreaProperties> = await api.areas({
        level: rate ? 'kecamatan' : 'kelurahan',
        ...filters(),
      });
      if (disposed) {
        return;
      }
      // Per 1,000 residents where the population is known; an area without one is left grey
      // and labelled "–" rather than coloured as if it had none.
      const valueOf = (p: AreaProperties): number | null =>
        rate ? (p.per_1000?.total ?? null) : p.total;
      const shown = (v: number | null) =>
        v === null ? '–' : rate ? formatRate(v) : formatNumber(v);
      const b = breaks(fc.features.map((f) => valueOf(f.properties) ?? NaN));
      areasLayer.clearLayers();
      areasLayer.options.style = (feature) => {
        const props = feature?.properties as AreaProperties | undefined;
        const value = props ? valueOf(props) : null;
        return {
          color: '#36454f',
          weight: 1.5,
          fillOpacity: state.choropleth ? 0.6 : 0,
          fillColor:
            value === null ? '#bdbdbd' : choroplethColours[colourIndex(classOf(value, b), b)],
        };
      };
      areasLayer.addData(fc as unknown as GeoJSON.FeatureCollection);
      areasLayer.eachLayer((layer) => {
        const p = propsOf(layer) as AreaProperties;
        if (state.choropleth) {
          layer.bindTooltip(shown(valueOf(p)), {
            permanent: true,
            direction: 'center',
            className: 'area-label',
            pane: 'areaLabels',
          });
        }
      });
      choroplethTitle.textContent = t(rate ? 'map.legend.rate' : 'map.legend.choropleth');
      populationNote.hidden = !rate;
      areaHead.textContent = t(rate ? 'filter.kecamatan' : 'filter.kelurahan');
      valueHead.textContent = t(rate ? 'map.areas.rate' : 'map.areas.count');
      const step = rate ? 0.01 : 1;
      replace(
        choroplethLegend,
        classRanges(b, step).map(([lo, hi], i) =>
          h(
            'li',
            null,
            h('span', { class: `swatch choropleth-${colourIndex(i, b)}`, 'aria-hidden': 'true' }),
            ' ',
            hi === null ? `≥ ${shown(lo)}` : lo === hi ? shown(lo) : `${shown(lo)}–${shown(hi)}`,
          ),
        ),
      );
      const names = fc.features
        .map((f) => f.properties)
        .sort((x, y) => x.name.localeCompare(y.name));
      replace(
        areaTableBody,
        names.map((p) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, p.name),
            h('td', { class: 'num' }, shown(valueOf(p))),
            h(
              'td',
              null,
              h(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  onclick: () => {
                    areasLayer.eachLayer((layer) => {
                      if ((propsOf(layer) as AreaProperties).code === p.code) {
                        map.fitBounds((layer as L.Polygon).getBounds());
                        mapEl.focus();
                      }
                    });
                  },
                },
                t('map.areas.show'),
                h('span', { class: 'visually-hidden' }, `: ${p.name}`),
              ),
            ),
          ),
        ),
      );
      if (!fittedOnce && areasLayer.getBounds().isValid()) {
        fittedOnce = true;
        map.fitBounds(areasLayer.getBounds());
      }
    } catch (e) {
      showError(e);
    }
  }

  async function loadHazards(): Promise<void> {
    try {
      const fc = await api.hazards();
      if (disposed) {
        return;
      }
      hazardsLayer.clearLayers();
      hazardsLayer.addData(fc as unknown as GeoJSON.FeatureCollection);
      hazardsLayer.eachLayer((layer) => {
        const p = propsOf(layer) as { name: string; hazard: string; level: string };
        layer.bindTooltip(
          t('map.hazard.label', {
            name: p.name,
            hazard: tCode('hazard', p.hazard),
            level: tCode('level', p.level),
          }),
          { sticky: true },
        );
      });
      hazardNote.hidden = fc.features.length > 0;
    } catch (e) {
      showError(e);
    }
  }

  const syncLayers = () => {
    for (const [layer, on] of [
      [areasLayer, true],
      [hazardsLayer, state.hazards],
      [clustersLayer, state.clusters],
    ] as [L.Layer, boolean][]) {
      if (on && !map.hasLayer(layer)) {
        map.addLayer(layer);
      } else if (!on && map.hasLayer(layer)) {
        map.removeLayer(layer);
      }
    }
  };
  syncLayers();

  const onFilter = () => {
    state.category = catSel.value;
    state.severity = sevSel.value;
    state.status = statusSel.value;
    save();
    void loadClusters();
    void loadAreas();
  };
  [catSel, sevSel, statusSel].forEach((s) => s.addEventListener('change', onFilter));
  clustersBox.input.addEventListener('change', () => {
    state.clusters = clustersBox.input.checked;
    save();
    syncLayers();
    void loadClusters();
  });
  choroplethBox.input.addEventListener('change', () => {
    state.choropleth = choroplethBox.input.checked;
    save();
    void loadAreas();
  });
  measureSel.addEventListener('change', () => {
    state.measure = measureSel.value === 'rate' ? 'rate' : 'count';
    save();
    void loadAreas();
  });
  hazardsBox.input.addEventListener('change', () => {
    state.hazards = hazardsBox.input.checked;
    save();
    syncLayers();
  });
  basemapBox.input.addEventListener('change', () => {
    basemapOn = basemapBox.input.checked;
    rememberBasemap(basemapOn);
    void setBasemap();
  });
  map.on('moveend', () => {
    const c = map.getCenter();
    state.center = [c.lat, c.lng];
    state.zoom = map.getZoom();
    save();
    void loadClusters();
  });

  void loadAreas().then(() => loadClusters());
  void loadHazards();

  return () => {
    disposed = true;
    clusterRequest?.abort();
    window.clearTimeout(retryTimer);
    removeMap(map);
  };
}

/// A rate per 1,000 with two decimals at most ("3,5" in Indonesian).
function formatRate(v: number): string {
  return formatNumber(Math.round(v * 100) / 100);
}

/// The GeoJSON properties of a layer made by L.geoJSON.
function propsOf(layer: L.Layer): unknown {
  return ((layer as L.Polygon).feature as GeoJSON.Feature | undefined)?.properties;
}

function personSummary(p: Person, kelurahan: string): HTMLElement {
  const age = ageYears(p.birth_date);
  const row = (label: string, value: string) => [h('dt', null, label), h('dd', null, value)];
  return h(
    'div',
    { class: 'person-summary' },
    h('h3', null, p.full_name),
    h(
      'dl',
      null,
      row(t('person.sex'), tCode('sex', p.sex)),
      row(t('person.age'), age === null ? t('person.none') : t('person.age.value', { years: age })),
      row(t('person.categories'), categoryNames(p.categories)),
      row(t('person.severity'), p.severity ? tCode('severity', p.severity) : t('person.none')),
      row(t('person.kelurahan'), kelurahan),
      row(t('person.status'), tCode('status', p.status)),
    ),
    h('a', { href: `/orang/${encodeURIComponent(p.id)}` }, t('map.summary.open')),
  );
}
