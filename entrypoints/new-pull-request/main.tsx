import { render } from 'preact';
import '../../lib/ui/theme.css';
import './new-pull-request.css';
import { FormWindow, readFormQuery } from './FormWindow';

const query = readFormQuery(location.search);
render(<FormWindow query={query} />, document.getElementById('app')!);
