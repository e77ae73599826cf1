// TeleCMI's Node sample (github.com/telecmi/telecmi_example_node, server.js, and the "Implementation" snippet of
// every CDR and event page of the docs), as given: Express 4 + body-parser, log the body, answer "got it".
// Only the port is ours (the sample listens on 5000). Run it with stdout going to /dev/null.
// Usage: node express-sample.js <port>
import bodyParser from 'body-parser';
import express from 'express';

const app = express();

// parse application/json
app.use(bodyParser.json());

app.post('/webhook/cdr', (req, res) => {
  //Received CDR JSON Object from TeleCMI platform
  const cdr: unknown = req.body;

  console.log(cdr);

  res.send('got it');
});

app.listen(Number(process.argv[2] ?? process.env['PORT'] ?? 5000));
