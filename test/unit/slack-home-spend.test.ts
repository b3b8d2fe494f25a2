// The Spend section of App Home: people and channels by Slack mention, and anything read back from
// the store that is not shaped like an id shown as plain text that pings no one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spendBlocks } from '../../src/slack/home/spend.js';

const texts = (blocks: ReturnType<typeof spendBlocks>) => JSON.stringify(blocks);

describe('App Home: spend', () => {
  it('names people and channels by mention, a DM as one, with their dollars', () => {
    const shown = texts(
      spendBlocks({
        todayMicroUsd: 1_250_000,
        weekMicroUsd: 9_990_000,
        unpriced: 2,
        people: [{ id: 'U0ANN', microUsd: 6_000_000 }],
        channels: [{ id: 'C0ONE', microUsd: 5_000_000 }, { id: 'D0DIRECT', microUsd: 1_000 }],
      }),
    );
    assert.match(shown, /\*Today \(UTC\):\* \$1\.25 · \*Last 7 days:\* \$9\.99\\n2 answers on a model with no price/);
    assert.match(shown, /1\. <@U0ANN> \$6\.00/);
    assert.match(shown, /1\. <#C0ONE> \$5\.00\\n2\. a direct message \(D0DIRECT\) under \$0\.01/);
  });

  it('shows an id that is not one as escaped text, so a stored <!channel> cannot ping', () => {
    const shown = texts(spendBlocks({ todayMicroUsd: 0, weekMicroUsd: 0, unpriced: 0, people: [{ id: '<!channel>', microUsd: 1 }], channels: [{ id: '<!here>', microUsd: 1 }] }));
    assert.doesNotMatch(shown, /<!channel>|<!here>/);
    assert.match(shown, /&lt;!channel&gt;/);
  });
});
