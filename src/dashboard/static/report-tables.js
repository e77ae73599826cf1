// Sortable tables with a CSV download each, for the reports. Cells are text; each column says how to show and
// how to sort its value (the value itself, never the text shown).
'use strict';
(() => {
  const { el } = window.telehook;

  /** A CSV cell: quoted when needed; text a spreadsheet would run as a formula is defused with a quote. */
  function csvCell(value) {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return String(value);
    const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  /**
   * Fills `table` with `rows` under `columns` ({key, label, format?, numeric?}); a header click sorts by its
   * column (again: the other way); a "Download CSV" button after the table saves the rows as they are sorted.
   */
  function sortableTable(table, columns, rows, options) {
    let sortKey = options.sortKey;
    let descending = options.descending ?? true;
    const head = el('thead');
    const body = el('tbody');
    const headRow = el('tr');
    const headers = columns.map((column) => {
      const th = el('th', null, column.numeric ? 'num' : undefined, { scope: 'col', 'data-key': column.key });
      const button = el('button', column.label, 'sort', { type: 'button' });
      button.addEventListener('click', () => {
        descending = sortKey === column.key ? !descending : Boolean(column.numeric);
        sortKey = column.key;
        render();
      });
      th.append(button);
      headRow.append(th);
      return th;
    });
    head.append(headRow);
    table.replaceChildren(head, body);

    const sorted = () => {
      const column = columns.find((candidate) => candidate.key === sortKey);
      if (!column) return rows;
      const value = (row) => row[column.key];
      return [...rows].sort((a, b) => {
        const x = value(a);
        const y = value(b);
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        const order = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
        return descending ? -order : order;
      });
    };

    function render() {
      headers.forEach((th, index) => {
        const key = columns[index].key;
        if (key === sortKey) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        else th.removeAttribute('aria-sort');
      });
      body.replaceChildren(
        ...sorted().map((row) => {
          const tr = el('tr');
          for (const column of columns) {
            const value = row[column.key];
            tr.append(
              el(
                'td',
                column.format ? column.format(value, row) : (value ?? '—'),
                column.numeric ? 'num' : undefined,
                { 'data-key': column.key },
              ),
            );
          }
          return tr;
        }),
      );
      if (rows.length === 0) {
        const tr = el('tr');
        tr.append(el('td', 'Nothing in this period.', 'empty', { colspan: columns.length }));
        body.append(tr);
      }
    }
    render();

    const download = el('button', 'Download CSV', 'csv', { type: 'button' });
    download.addEventListener('click', () => {
      const lines = [columns.map((column) => csvCell(column.key)).join(',')];
      for (const row of sorted()) lines.push(columns.map((column) => csvCell(row[column.key])).join(','));
      const url = URL.createObjectURL(new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv' }));
      const link = el('a', null, null, { href: url, download: `${options.name}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
    table.parentElement.parentElement.querySelector('button.csv')?.remove();
    table.parentElement.after(download);
  }

  window.telehook.sortableTable = sortableTable;
})();
