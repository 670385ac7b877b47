import { copyText, downloadBlob } from './browser';

describe('downloadBlob', () => {
  it('clicks a temporary anchor with the file name and the object URL, then removes it', () => {
    const createObjectURL = jest.fn(() => 'blob:x');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: HTMLAnchorElement[] = [];
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    jest.useFakeTimers();
    try {
      const blob = new Blob(['{}'], { type: 'application/json' });
      downloadBlob('report.json', blob);
      expect(createObjectURL).toHaveBeenCalledWith(blob);
      expect(clicked).toHaveLength(1);
      expect(clicked[0].download).toBe('report.json');
      expect(clicked[0].getAttribute('href')).toBe('blob:x');
      expect(document.body.contains(clicked[0])).toBe(false);
      jest.runAllTimers();
      expect(revokeObjectURL).toHaveBeenCalledWith('blob:x');
    } finally {
      jest.useRealTimers();
      click.mockRestore();
    }
  });
});

describe('copyText', () => {
  it('writes to the clipboard, and rejects when there is none', async () => {
    const writeText = jest.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await copyText('hello');
    expect(writeText).toHaveBeenCalledWith('hello');
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    await expect(copyText('hello')).rejects.toThrow(/clipboard is not available/);
  });
});
